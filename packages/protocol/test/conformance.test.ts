import {
  checkConformance,
  eventStatusAt,
  formatDateTime,
  MESSAGE_TYPES,
  type EiEvent,
  type MessageBody,
  type MessageType,
  type OadrMessage,
} from '../src/index.js';
import { EXAMPLES } from '../src/examples.js';

const T0 = Date.UTC(2026, 10, 27);
const rules = (type: MessageType, body: unknown, now?: number, sender?: 'ven' | 'vtn'): string[] =>
  checkConformance({ type, body } as OadrMessage, { ...(now === undefined ? {} : { now }), ...(sender === undefined ? {} : { sender }) }).map((f) => f.rule);
const clone = <K extends MessageType>(type: K): MessageBody<K> => structuredClone(EXAMPLES[type]);
const firstEvent = (body: MessageBody<'oadrDistributeEvent'>): EiEvent => body.oadrEvent![0]!.eiEvent;

describe('the realistic examples conform', () => {
  test.each(MESSAGE_TYPES)('%s', (type) => {
    expect(checkConformance({ type, body: EXAMPLES[type] } as OadrMessage, { now: T0 - 59 * 60_000, sender: 'ven' })).toEqual([]);
  });
});

describe('event rules', () => {
  test('rule 41: an empty requestID', () => {
    const body = clone('oadrDistributeEvent');
    body.requestID = ' ';
    expect(rules('oadrDistributeEvent', body)).toEqual(['rule-41']);
  });

  test('rule 8: interval durations that do not add up to the active period', () => {
    const body = clone('oadrDistributeEvent');
    firstEvent(body).eiEventSignals.eiEventSignal[1]!.intervals.pop();
    const findings = checkConformance({ type: 'oadrDistributeEvent', body });
    expect(findings.map((f) => f.rule)).toEqual(['rule-8']);
    expect(findings[0]!.element).toBe('oadrDistributeEvent/oadrEvent[0]/eiEvent/eiEventSignals/eiEventSignal[1]/intervals');
    expect(findings[0]!.message).toBe('interval durations add up to 85500 s, the period lasts 86400 s');
  });

  test('an open-ended event (duration 0) has no sum to check', () => {
    const body = clone('oadrDistributeEvent');
    firstEvent(body).eiActivePeriod.properties.duration = 'PT0S';
    delete firstEvent(body).eiEventSignals.eiEventBaseline;
    expect(rules('oadrDistributeEvent', body)).toEqual([]);
  });

  test('rule 2: uids count from 0; intervals carry no dtstart', () => {
    const body = clone('oadrDistributeEvent');
    const intervals = firstEvent(body).eiEventSignals.eiEventSignal[0]!.intervals;
    intervals[3]!.uid = '7';
    intervals[4]!.dtstart = formatDateTime(T0);
    expect(rules('oadrDistributeEvent', body)).toEqual(['rule-2', 'interval-dtstart']);
  });

  test('rules 7 and 9: one SIMPLE signal, levels 0 to 3', () => {
    const body = clone('oadrDistributeEvent');
    const signals = firstEvent(body).eiEventSignals.eiEventSignal;
    signals.push({ ...structuredClone(signals[2]!), signalID: 'simple-2' });
    signals[2]!.intervals[0]!.signalPayload = 4;
    expect(rules('oadrDistributeEvent', body)).toEqual(['rule-9', 'rule-7']);
  });

  test('signal type and unit must fit the signal name', () => {
    const body = clone('oadrDistributeEvent');
    const signals = firstEvent(body).eiEventSignals.eiEventSignal;
    signals[0]!.signalType = 'setpoint';
    signals[1]!.itemBase = { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: 'EUR', siScaleCode: 'none' } };
    expect(rules('oadrDistributeEvent', body)).toEqual(['signal-type', 'signal-unit']);
  });

  test('signal ids unique; at most one venID in a target; event ids unique', () => {
    const body = clone('oadrDistributeEvent');
    firstEvent(body).eiEventSignals.eiEventSignal[1]!.signalID = 'price';
    firstEvent(body).eiTarget.venID = ['a', 'b'];
    body.oadrEvent!.push(structuredClone(body.oadrEvent![0]!));
    expect(rules('oadrDistributeEvent', body)).toEqual(expect.arrayContaining(['signal-id-unique', 'single-ven-target', 'event-id-unique']));
  });

  test('rule 15: active events before pending ones, pending by start time', () => {
    const body = clone('oadrDistributeEvent');
    const later = structuredClone(body.oadrEvent![0]!);
    later.eiEvent.eventDescriptor.eventID = 'later';
    later.eiEvent.eiActivePeriod.properties.dtstart = formatDateTime(T0 + 86_400_000);
    body.oadrEvent!.unshift(later);
    expect(rules('oadrDistributeEvent', body)).toEqual(['rule-15']);
    body.oadrEvent!.reverse();
    expect(rules('oadrDistributeEvent', body)).toEqual([]);
  });

  test('eventStatus must be the status at createdDateTime; createdDateTime near the receiver clock', () => {
    const body = clone('oadrDistributeEvent');
    firstEvent(body).eventDescriptor.eventStatus = 'active';
    expect(rules('oadrDistributeEvent', body, T0 - 10 * 60 * 60_000)).toEqual(['created-date-time', 'event-status']);
  });

  test('rule 14: currentValue follows the interval executing now', () => {
    const body = clone('oadrDistributeEvent');
    const event = firstEvent(body);
    event.eventDescriptor.createdDateTime = formatDateTime(T0 + 17 * 60 * 60_000 + 60_000);
    event.eventDescriptor.eventStatus = 'active';
    const now = T0 + 17 * 60 * 60_000 + 90_000;
    const simple = event.eiEventSignals.eiEventSignal[2]!;
    simple.currentValue = simple.intervals[68]!.signalPayload;
    event.eiEventSignals.eiEventSignal[0]!.currentValue = event.eiEventSignals.eiEventSignal[0]!.intervals[68]!.signalPayload;
    event.eiEventSignals.eiEventSignal[1]!.currentValue = event.eiEventSignals.eiEventSignal[1]!.intervals[68]!.signalPayload;
    expect(rules('oadrDistributeEvent', body, now)).toEqual([]);
    simple.currentValue = 0;
    expect(rules('oadrDistributeEvent', body, now)).toEqual(['rule-14']);
  });

  test('eventStatusAt: far, near inside the ramp-up, active, completed, open-ended, cancelled', () => {
    const event = firstEvent(clone('oadrDistributeEvent'));
    expect(eventStatusAt(event, T0 - 16 * 60_000)).toBe('far');
    expect(eventStatusAt(event, T0 - 15 * 60_000)).toBe('near');
    expect(eventStatusAt(event, T0)).toBe('active');
    expect(eventStatusAt(event, T0 + 86_400_000)).toBe('completed');
    event.eiActivePeriod.properties.duration = 'PT0S';
    expect(eventStatusAt(event, T0 + 10 * 86_400_000)).toBe('active');
    event.eventDescriptor.eventStatus = 'cancelled';
    expect(eventStatusAt(event, T0)).toBe('cancelled');
  });

  test('rules 42 and 35: oadrCreatedEvent responses', () => {
    const body = clone('oadrCreatedEvent');
    body.eiCreatedEvent.eiResponse.requestID = 'dist-1';
    expect(rules('oadrCreatedEvent', body)).toEqual(['rule-42']);
    const none = clone('oadrCreatedEvent');
    delete none.eiCreatedEvent.eventResponses;
    expect(rules('oadrCreatedEvent', none)).toEqual(['rule-35']);
    none.eiCreatedEvent.eiResponse.responseCode = '454';
    expect(rules('oadrCreatedEvent', none)).toEqual([]);
  });
});

describe('durations without a fixed length', () => {
  test('a month-long active period is reported, not thrown', () => {
    const body = clone('oadrDistributeEvent');
    firstEvent(body).eiActivePeriod.properties.duration = 'P1M';
    const findings = checkConformance({ type: 'oadrDistributeEvent', body });
    expect(findings.map((f) => f.rule)).toEqual(['fixed-duration']);
    expect(findings[0]!.message).toMatch(/no fixed length/);
  });
});

describe('opt, registration and report rules', () => {
  test('an event opt carries no schedule; a schedule opt needs one without tolerances', () => {
    const eventOpt = clone('oadrCreateOpt');
    eventOpt.qualifiedEventID = { eventID: 'e1', modificationNumber: 0 };
    expect(rules('oadrCreateOpt', eventOpt)).toEqual(['opt-event-form', 'opt-event-form']);
    const schedule = clone('oadrCreateOpt');
    schedule.vavailability![0]!['x-eiRampUp'] = 'PT5M';
    expect(rules('oadrCreateOpt', schedule)).toEqual(['opt-available-plain']);
    delete schedule.vavailability;
    expect(rules('oadrCreateOpt', schedule)).toEqual(['opt-schedule-form']);
  });

  test('registration: pull model stated, a push VEN gives its address, no literal "None"', () => {
    const body = clone('oadrCreatePartyRegistration');
    delete body.oadrTransportAddress;
    expect(rules('oadrCreatePartyRegistration', body)).toEqual(['transport-address']);
    body.oadrHttpPullModel = true;
    body.oadrTransportAddress = 'None';
    expect(rules('oadrCreatePartyRegistration', body)).toEqual(['transport-address']);
    delete body.oadrHttpPullModel;
    delete body.oadrTransportAddress;
    expect(rules('oadrCreatePartyRegistration', body)).toEqual(['http-pull-model']);
  });

  test('metadata reports: reportRequestID 0, a duration, no data, METADATA_ names, the kinds the harness expects', () => {
    const body = clone('oadrRegisterReport');
    const [status, usage] = body.oadrReport!;
    status!.reportRequestID = 'r1';
    delete usage!.duration;
    usage!.oadrReportDescription![0]!.readingType = 'Estimated';
    expect(rules('oadrRegisterReport', body)).toEqual(['rule-311', 'metadata-duration', 'report-kind']);
  });

  test('a VEN registering reports registers both telemetry metadata reports', () => {
    const body = clone('oadrRegisterReport');
    body.oadrReport = body.oadrReport!.filter((r) => r.reportName !== 'METADATA_TELEMETRY_STATUS');
    expect(rules('oadrRegisterReport', body, undefined, 'ven')).toEqual(['ven-metadata']);
    expect(rules('oadrRegisterReport', body, undefined, 'vtn')).toEqual([]);
  });

  test('report requests: own id, x-notApplicable readings', () => {
    const body = clone('oadrCreateReport');
    body.oadrReportRequest[0]!.reportRequestID = '0';
    body.oadrReportRequest[1]!.reportSpecifier.specifierPayload[0]!.readingType = 'Direct Read';
    expect(rules('oadrCreateReport', body)).toEqual(['report-request-id', 'request-reading-type']);
  });

  test('data reports: no METADATA_ name, no descriptions, consistent interval times', () => {
    const body = clone('oadrUpdateReport');
    const usage = body.oadrReport![0]!;
    usage.reportName = 'METADATA_TELEMETRY_USAGE';
    usage.dtstart = formatDateTime(T0 + 60_000);
    delete usage.intervals![5]!.dtstart;
    expect(rules('oadrUpdateReport', body)).toEqual(['data-report-name', 'rule-342', 'rule-314']);
  });
});
