/**
 * 2.0b event (E) cases and the ported 2.0a event cases (A_E1) against a VEN (the harness plays a
 * VTN). Each sends events the VEN must take, refuse or report, and holds the oadrCreatedEvent (or
 * oadrCreateOpt, oadrRequestEvent) it sends to what the rules ask. The VEN's execution of the events
 * on its device is out of scope: only what travels over the wire is checked.
 */
import { formatDateTime, type EiEventSignal, type MessageBody, type OadrEvent } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { testEvent } from './testEvent.js';
import { ask, clean, distribute, registeredVen, responseTo, withoutOperator, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;

const price = (payloads: readonly number[], minutes = 15): EiEventSignal => ({
  intervals: payloads.map((signalPayload, i) => ({ duration: `PT${minutes}M`, uid: String(i), signalPayload })),
  signalName: 'ELECTRICITY_PRICE',
  signalType: 'price',
  signalID: 'price',
  itemBase: { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: 'EUR', siScaleCode: 'none' } },
});
const watts = { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'none', powerAttributes: { hertz: 50, voltage: 230, ac: true } } } as const;
const simple = (level: number): EiEventSignal => ({ intervals: [{ duration: 'PT30M', uid: '0', signalPayload: level }], signalName: 'SIMPLE', signalType: 'level', signalID: 'simple' });

/** Each event must be answered with `code`, naming the modification it was sent with. */
function expectAnswers(created: MessageBody<'oadrCreatedEvent'>, events: readonly OadrEvent[], code = '200'): void {
  for (const event of events) {
    const response = responseTo(created, event);
    const { eventID, modificationNumber } = event.eiEvent.eventDescriptor;
    if (response.responseCode !== code) throw new CaseFailure(`event ${eventID} was answered with ${response.responseCode}, expected ${code}`);
    if (response.qualifiedEventID.modificationNumber !== modificationNumber) {
      throw new CaseFailure(`the answer to ${eventID} names modification ${response.qualifiedEventID.modificationNumber}, it was sent with ${modificationNumber}`);
    }
  }
}

/** Sends `events` in one distribute and holds every answer to `code`. */
async function acceptsAll(vtn: VenUnderTest['vtn'], events: OadrEvent[], signal: AbortSignal, code = '200'): Promise<void> {
  const { created, from } = await distribute(vtn, events, signal);
  expectAnswers(created, events, code);
  clean(vtn, from);
}

function modified(event: OadrEvent, change: (e: OadrEvent) => void): OadrEvent {
  const next = structuredClone(event);
  next.eiEvent.eventDescriptor.modificationNumber++;
  change(next);
  return next;
}

function startingAt(event: OadrEvent, startMs: number, duration: string): OadrEvent {
  event.eiEvent.eiActivePeriod.properties.dtstart = formatDateTime(startMs);
  event.eiEvent.eiActivePeriod.properties.duration = duration;
  return event;
}

export const E1_1025: VenCase = {
  id: 'E1_1025_TH_VTN',
  title: 'A LOAD_DISPATCH setpoint event (powerReal 40) is answered 200',
  ...pull,
  checks: ['CHECKLIST 3.5', 'CHECKLIST 3.6 (powerReal)', 'TH E1_1025'],
  async run({ vtn }, signal) {
    const dispatch: EiEventSignal = { intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 40 }], signalName: 'LOAD_DISPATCH', signalType: 'setpoint', signalID: 'dispatch', itemBase: watts };
    await acceptsAll(vtn, [testEvent(registeredVen(vtn), { signals: [dispatch] })], signal);
  },
};

export const E1_1027: VenCase = {
  id: 'E1_1027_TH_VTN',
  title: 'A two-interval price event carrying a baseline is answered 200',
  ...pull,
  checks: ['CHECKLIST 3.5', 'TH E1_1027'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn));
    const { dtstart } = event.eiEvent.eiActivePeriod.properties;
    event.eiEvent.eiEventSignals.eiEventBaseline = {
      dtstart,
      duration: 'PT30M',
      intervals: [
        { duration: 'PT15M', uid: '0', signalPayload: 1200 },
        { duration: 'PT15M', uid: '1', signalPayload: 1100 },
      ],
      baselineID: 'th-baseline',
      baselineName: 'harness baseline',
      itemBase: watts,
    };
    await acceptsAll(vtn, [event], signal);
  },
};

export const E1_1050: VenCase = {
  id: 'E1_1050_TH_VTN',
  title: 'Asked by its operator, the VEN sends oadrRequestEvent and answers the events it gets back',
  ...pull,
  checks: ['CHECKLIST 1.4 step 5', 'rule 42', 'TH E1_1050'],
  unavailable: withoutOperator,
  async run(context, signal) {
    const { vtn } = context;
    const venID = registeredVen(vtn);
    const event = testEvent(venID);
    vtn.events = [event];
    const from = vtn.mark();
    await ask(context, { text: `make VEN ${venID} request its events (oadrRequestEvent)`, action: { kind: 'requestEvents', venID } });
    const request = await vtn.waitFor('oadrRequestEvent', from, signal);
    if (request.eiRequestEvent.venID !== venID) throw new CaseFailure(`oadrRequestEvent names venID "${request.eiRequestEvent.venID}", registered as "${venID}"`);
    const requestID = vtn.lastEventsRequestID;
    const created = await vtn.waitFor('oadrCreatedEvent', from, signal, (b) => (b.eiCreatedEvent.eventResponses ?? []).some((r) => r.qualifiedEventID.eventID === event.eiEvent.eventDescriptor.eventID));
    expectAnswers(created, [event]);
    if (responseTo(created, event).requestID !== requestID) throw new CaseFailure(`the eventResponse names requestID "${responseTo(created, event).requestID}", the distribute was "${requestID ?? ''}" (rule 42)`);
    clean(vtn, from);
  },
};

export const E1_1060: VenCase = {
  id: 'E1_1060_TH_VTN',
  title: 'Told by its operator, the VEN opts out of an accepted event with oadrCreateOpt naming it',
  ...pull,
  checks: ['rules 16, 17, 510', 'CHECKLIST 5 (event opt: qualifiedEventID, no vavailability, no marketContext)', 'TH E1_1060'],
  unavailable: withoutOperator,
  async run(context, signal) {
    const { vtn } = context;
    const venID = registeredVen(vtn);
    const event = testEvent(venID);
    const { from } = await distribute(vtn, [event], signal);
    const { eventID } = event.eiEvent.eventDescriptor;
    const optFrom = vtn.mark();
    await ask(context, { text: `make VEN ${venID} opt out of event ${eventID}`, action: { kind: 'optEvent', venID, eventID, optType: 'optOut' } });
    const opt = await vtn.waitFor('oadrCreateOpt', optFrom, signal);
    if (opt.optType !== 'optOut') throw new CaseFailure(`oadrCreateOpt has optType ${opt.optType}, the operator opted out`);
    if (opt.qualifiedEventID?.eventID !== eventID || opt.qualifiedEventID.modificationNumber !== 0) {
      throw new CaseFailure(`oadrCreateOpt names event ${opt.qualifiedEventID?.eventID ?? '(none)'} modification ${opt.qualifiedEventID?.modificationNumber ?? '-'}, expected ${eventID} modification 0`);
    }
    if (opt.venID !== venID || !opt.optID) throw new CaseFailure(`oadrCreateOpt must carry an optID and the registered venID ${venID}`);
    if (opt.vavailability !== undefined || opt.marketContext !== undefined) throw new CaseFailure('an event opt carries neither vavailability nor marketContext (CHECKLIST 5)');
    clean(vtn, from);
  },
};

export const E1_1080: VenCase = {
  id: 'E1_1080_TH_VTN',
  title: 'A distribute from the registered vtnID in another letter case is refused with 452',
  ...pull,
  checks: ['CHECKLIST 2.2 (452: wrong-case vtnID)', 'rule 35', 'TH E1_1080'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn));
    const swapped = [...vtn.vtnID].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
    if (swapped === vtn.vtnID) throw new Error(`the harness vtnID "${vtn.vtnID}" has no letters to swap`);
    const from = vtn.mark();
    vtn.queue({ type: 'oadrDistributeEvent', body: { requestID: 'th-swapped-vtn', vtnID: swapped, oadrEvent: [event] } });
    const created = await vtn.waitFor('oadrCreatedEvent', from, signal);
    const codes = [created.eiCreatedEvent.eiResponse.responseCode, ...(created.eiCreatedEvent.eventResponses ?? []).map((r) => r.responseCode)];
    const refused = created.eiCreatedEvent.eiResponse.responseCode === '452' || (codes.length > 1 && codes.slice(1).every((c) => c === '452'));
    if (!refused) throw new CaseFailure(`a distribute from vtnID "${swapped}" was answered with ${codes.join('/')}, expected 452`);
    clean(vtn, from);
  },
};

export const A_E1_0040: VenCase = {
  id: 'A_E1_0040_TH_VTN',
  title: 'A day of 24 hourly price intervals is answered 200',
  ...pull,
  checks: ['CHECKLIST 3.5', 'TH A_E1_0040'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn), { signals: [price(Array.from({ length: 24 }, (_, i) => 0.2 + (i % 6) * 0.05), 60)] });
    event.eiEvent.eiActivePeriod.properties.duration = 'PT24H';
    await acceptsAll(vtn, [event], signal);
  },
};

export const A_E1_0060: VenCase = {
  id: 'A_E1_0060_TH_VTN',
  title: 'An event with an empty eiTarget addresses every receiver and is answered 200',
  ...pull,
  checks: ['rule 22 (empty target)', 'CHECKLIST 3.7', 'TH A_E1_0060'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn));
    event.eiEvent.eiTarget = {};
    await acceptsAll(vtn, [event], signal);
  },
};

export const A_E1_0086: VenCase = {
  id: 'A_E1_0086_TH_VTN',
  title: 'An event modified twice and then cancelled is acknowledged at every step with its modificationNumber',
  ...pull,
  checks: ['rules 57, 59', 'rule 36 (cancellation acknowledged with optIn)', 'TH A_E1_0086-0104'],
  async run({ vtn }, signal) {
    const start = vtn.mark();
    let event = testEvent(registeredVen(vtn));
    await acceptsAll(vtn, [event], signal);
    for (const step of [1, 2]) {
      event = modified(event, (e) => {
        e.eiEvent.eventDescriptor.vtnComment = `modification ${step}`;
      });
      await acceptsAll(vtn, [event], signal);
    }
    event = modified(event, (e) => {
      e.eiEvent.eventDescriptor.eventStatus = 'cancelled';
    });
    const { created } = await distribute(vtn, [event], signal);
    expectAnswers(created, [event]);
    if (responseTo(created, event).optType !== 'optIn') throw new CaseFailure('the cancellation is acknowledged with optOut: the VEN says it cannot cancel (rule 36)');
    clean(vtn, start);
  },
};

export const A_E1_0130: VenCase = {
  id: 'A_E1_0130_TH_VTN',
  title: 'A test event (testEvent other than "false") is answered like any event',
  ...pull,
  checks: ['rule 6', 'TH A_E1_0130'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn));
    event.eiEvent.eventDescriptor.testEvent = 'true';
    await acceptsAll(vtn, [event], signal);
  },
};

export const A_E1_0180: VenCase = {
  id: 'A_E1_0180_TH_VTN',
  title: 'Of two held events one is modified: both are answered again, each with its own modificationNumber',
  ...pull,
  checks: ['rule 50', 'CHECKLIST 3.5 (answer every event, unchanged ones too)', 'TH A_E1_0180/0190'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const start = vtn.mark();
    const [a, b] = [testEvent(venID), testEvent(venID, { signals: [simple(1)] })];
    await acceptsAll(vtn, [a, b], signal);
    const changed = modified(a, (e) => {
      e.eiEvent.eiActivePeriod.properties.duration = 'PT45M';
      e.eiEvent.eiEventSignals.eiEventSignal[0]!.intervals.push({ duration: 'PT15M', uid: '2', signalPayload: 0.4 });
    });
    await acceptsAll(vtn, [changed, b], signal);
    clean(vtn, start);
  },
};

export const A_E1_0200: VenCase = {
  id: 'A_E1_0200_TH_VTN',
  title: 'An event with a long marketContext and eventID is answered 200, the eventID echoed in full',
  ...pull,
  checks: ['TH A_E1_0200 (length limits)'],
  async run({ vtn }, signal) {
    const long = 'x'.repeat(200);
    const event = testEvent(registeredVen(vtn), { eventID: `th-long-${Date.now().toString(36)}-${long}` });
    event.eiEvent.eventDescriptor.marketContext = `http://certify.oadr-kit.example/${long}`;
    await acceptsAll(vtn, [event], signal);
  },
};

export const A_E1_0270: VenCase = {
  id: 'A_E1_0270_TH_VTN',
  title: 'Two sequential events, the second starting as the first ends, are both answered 200',
  ...pull,
  checks: ['CHECKLIST 3.5', 'TH A_E1_0270'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const at = Date.now() + 3_600_000;
    await acceptsAll(vtn, [startingAt(testEvent(venID), at, 'PT30M'), startingAt(testEvent(venID), at + 1_800_000, 'PT30M')], signal);
  },
};

export const A_E1_0285: VenCase = {
  id: 'A_E1_0285_TH_VTN',
  title: 'An event with three signals (SIMPLE, price, LOAD_DISPATCH) is answered 200',
  ...pull,
  checks: ['CHECKLIST 3.5', 'TH A_E1_0285'],
  async run({ vtn }, signal) {
    const dispatch: EiEventSignal = { intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 40 }], signalName: 'LOAD_DISPATCH', signalType: 'setpoint', signalID: 'dispatch', itemBase: watts };
    await acceptsAll(vtn, [testEvent(registeredVen(vtn), { signals: [simple(2), price([0.25, 0.31]), dispatch] })], signal);
  },
};

export const A_E1_0300: VenCase = {
  id: 'A_E1_0300_TH_VTN',
  title: 'An event targeted at another VEN only is not accepted (an error code, or optOut)',
  ...pull,
  checks: ['CHECKLIST 3.7 (at least one target matches)', 'TH A_E1_0300'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const event = testEvent(venID);
    event.eiEvent.eiTarget = { venID: [`${venID}-someone-else`] };
    const { created, from } = await distribute(vtn, [event], signal);
    const response = responseTo(created, event);
    if (response.responseCode === '200' && response.optType === 'optIn') throw new CaseFailure('an event for another VEN was accepted (200, optIn)');
    clean(vtn, from);
  },
};

export const A_E1_0350: VenCase = {
  id: 'A_E1_0350_TH_VTN',
  title: 'Two overlapping events of one market context are both answered',
  ...pull,
  checks: ['rule 19', 'TH A_E1_0350'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const at = Date.now() + 3_600_000;
    await acceptsAll(vtn, [startingAt(testEvent(venID), at, 'PT30M'), startingAt(testEvent(venID, { signals: [simple(1)] }), at + 900_000, 'PT30M')], signal);
  },
};

export const A_E1_0392: VenCase = {
  id: 'A_E1_0392_TH_VTN',
  title: 'An event sent again with a lower modificationNumber is refused (450), not taken',
  ...pull,
  checks: ['rule 58', 'CHECKLIST 2.2 (450 out of sequence)', 'TH A_E1_0392'],
  async run({ vtn }, signal) {
    const start = vtn.mark();
    const event = testEvent(registeredVen(vtn), { modificationNumber: 2 });
    await acceptsAll(vtn, [event], signal);
    const older = structuredClone(event);
    older.eiEvent.eventDescriptor.modificationNumber = 1;
    const { created } = await distribute(vtn, [older], signal);
    const code = responseTo(created, older).responseCode;
    if (code === '200') throw new CaseFailure('modification 1 of an event held at modification 2 was answered 200, expected 450');
    clean(vtn, start);
  },
};

/** The event cases in the order a session runs them. */
export const VEN_EVENT_CASES: readonly VenCase[] = [E1_1025, E1_1027, E1_1050, E1_1060, E1_1080, A_E1_0040, A_E1_0060, A_E1_0086, A_E1_0130, A_E1_0180, A_E1_0200, A_E1_0270, A_E1_0285, A_E1_0300, A_E1_0350, A_E1_0392];
