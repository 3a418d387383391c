import { formatDateTime, type EiEvent, type OadrDistributeEvent, type OadrEvent } from '@oadr-kit/protocol';

export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
export const MIN = 60_000;
export const VTN_ID = 'vtn-test';
export const VEN_ID = 'ven-assigned-1';

export interface EventSpec {
  id?: string;
  mod?: number;
  startMs?: number;
  duration?: string;
  intervals?: string[];
  startafter?: string;
  rampUp?: string;
  status?: EiEvent['eventDescriptor']['eventStatus'];
  signalName?: string;
  responseRequired?: 'always' | 'never';
}

/** One 2.0b event with a SIMPLE signal; each interval's value is its index. */
export function makeEvent(spec: EventSpec = {}): OadrEvent {
  const intervals = spec.intervals ?? ['PT30M', 'PT30M'];
  return {
    eiEvent: {
      eventDescriptor: {
        eventID: spec.id ?? 'event-1',
        modificationNumber: spec.mod ?? 0,
        marketContext: 'http://market.example.com/test',
        createdDateTime: formatDateTime(T0 - 60 * MIN),
        eventStatus: spec.status ?? 'far',
        testEvent: 'false',
      },
      eiActivePeriod: {
        properties: {
          dtstart: formatDateTime(spec.startMs ?? T0),
          duration: spec.duration ?? 'PT1H',
          ...(spec.startafter === undefined ? {} : { tolerance: { startafter: spec.startafter } }),
          ...(spec.rampUp === undefined ? {} : { 'x-eiRampUp': spec.rampUp }),
        },
      },
      eiEventSignals: {
        eiEventSignal: [
          {
            intervals: intervals.map((duration, i) => ({ duration, uid: String(i), signalPayload: i })),
            signalName: (spec.signalName ?? 'SIMPLE') as 'SIMPLE',
            signalType: 'level',
            signalID: 'simple',
            currentValue: 0,
          },
        ],
      },
      eiTarget: { venID: [VEN_ID] },
    },
    oadrResponseRequired: spec.responseRequired ?? 'always',
  };
}

export function distribute(events: OadrEvent[], requestID = 'req-1', vtnID = VTN_ID): OadrDistributeEvent {
  return { requestID, vtnID, ...(events.length === 0 ? {} : { oadrEvent: events }) };
}
