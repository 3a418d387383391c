import { formatDateTime, type EiEventSignal, type OadrEvent } from '@oadr-kit/protocol';

let eventCounter = 0;

/** An event for the VEN under test, starting in an hour, with the given signals (default: a two-interval price). */
export function testEvent(venID: string, options: { modificationNumber?: number; eventID?: string; signals?: EiEventSignal[]; responseRequired?: 'always' | 'never' } = {}): OadrEvent {
  eventCounter++;
  const now = Date.now();
  return {
    eiEvent: {
      eventDescriptor: {
        eventID: options.eventID ?? `th-event-${eventCounter}`,
        modificationNumber: options.modificationNumber ?? 0,
        marketContext: 'http://certify.oadr-kit.example/program',
        createdDateTime: formatDateTime(now),
        eventStatus: 'far',
      },
      eiActivePeriod: { properties: { dtstart: formatDateTime(now + 3_600_000), duration: 'PT30M' } },
      eiEventSignals: {
        eiEventSignal: options.signals ?? [
          {
            intervals: [
              { duration: 'PT15M', uid: '0', signalPayload: 0.25 },
              { duration: 'PT15M', uid: '1', signalPayload: 0.31 },
            ],
            signalName: 'ELECTRICITY_PRICE',
            signalType: 'price',
            signalID: 'price',
            itemBase: { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: 'EUR', siScaleCode: 'none' } },
          },
        ],
      },
      eiTarget: { venID: [venID] },
    },
    oadrResponseRequired: options.responseRequired ?? 'always',
  };
}
