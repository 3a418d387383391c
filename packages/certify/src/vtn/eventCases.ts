/**
 * 2.0b event (E) cases and the ported 2.0a VTN-side event cases (A_E3) against a VTN in pull mode.
 * A VTN publishes events when its operator says so: each case asks the operator (VtnUnderTest
 * `operator`) to create, modify or cancel an event described in full, polls for the oadrDistributeEvent
 * that follows, holds every event to the description (eventChecks) and answers it as a VEN would.
 */
import { formatDateTime, parseDateTime, type EventStatus, type MessageBody, type OadrEvent } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { checkEvent, freeSlot, knownEventIDs, MARKET_CONTEXT, newEvents, nextDelivery, priceEvent } from './eventChecks.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { createOpt } from './optCases.js';
import { ensureRegistered, expectNothingMore, respond, type DescribedEvent, type VtnUnderTest } from './VtnUnderTest.js';
import { prepare } from './reportExchange.js';

type VtnCase = CertificationCase<VtnUnderTest>;
type Distribute = MessageBody<'oadrDistributeEvent'>;
const pull = { role: 'vtn', model: 'pull' } as const;

const forVen = (event: DescribedEvent, venID: string): DescribedEvent => ({ ...event, target: { venID: [venID] } });

interface Published {
  readonly ven: HarnessVen;
  readonly described: DescribedEvent;
  readonly distribute: Distribute;
  readonly event: OadrEvent;
  readonly eventID: string;
}

/** Asks the operator for the event, waits for it and holds it to the description at modification 0. */
async function published(
  context: VtnUnderTest,
  describe: (venID: string) => DescribedEvent,
  signal: AbortSignal,
  status: EventStatus = 'far',
): Promise<Published> {
  const { ven } = context;
  await ensureRegistered(ven);
  const known = await knownEventIDs(ven);
  const described = describe(ven.venID());
  await ask(context, { kind: 'createEvent', venID: ven.venID(), event: described });
  const { distribute, events } = await newEvents(ven, known, 1, signal);
  const event = events[0]!;
  checkEvent(event, described, { venID: ven.venID(), modificationNumber: 0, status });
  return { ven, described, distribute, event, eventID: event.eiEvent.eventDescriptor.eventID };
}

/** Answers with oadrCreatedEvent (200, optIn unless said otherwise) and requires the VTN's 200. */
async function accepted(ven: HarnessVen, distribute: Distribute, events: readonly OadrEvent[], options: Parameters<typeof respond>[3] = {}): Promise<void> {
  expectCode('oadrResponse to oadrCreatedEvent', await respond(ven, distribute, events, options), '200');
}

/** Asks for a change of the event and returns the modification that arrives, held to the new description. */
async function modified(context: VtnUnderTest, eventID: string, described: DescribedEvent, modificationNumber: number, signal: AbortSignal): Promise<{ distribute: Distribute; event: OadrEvent }> {
  const { ven } = context;
  await ask(context, { kind: 'modifyEvent', venID: ven.venID(), eventID, event: described });
  const delivered = await nextDelivery(ven, eventID, signal);
  checkEvent(delivered.event, described, { venID: ven.venID(), modificationNumber, status: 'far' });
  return delivered;
}

/** A case that publishes one event and answers it; `then` goes on from there. */
function eventCase(
  id: string,
  title: string,
  checks: string[],
  describe: (venID: string) => DescribedEvent,
  then: (context: VtnUnderTest, published: Published, signal: AbortSignal) => Promise<void>,
  status: EventStatus = 'far',
): VtnCase {
  return {
    id,
    title,
    ...pull,
    checks,
    unavailable: needsOperator,
    async run(context, signal) {
      await then(context, await published(context, describe, signal, status), signal);
    },
  };
}

const acceptIt = async (_context: VtnUnderTest, { ven, distribute, event }: Published): Promise<void> => accepted(ven, distribute, [event]);

export const E1_1020 = eventCase(
  'E1_1020_TH_VEN',
  'An ELECTRICITY_PRICE event arrives as described (modification 0, far, two priced intervals) and its optIn is acknowledged',
  ['rules 2, 4, 41, 42', 'CHECKLIST 3.1-3.6', 'TH E0_6020'],
  (venID) => forVen(priceEvent(freeSlot(), [0.12, 0.18]), venID),
  acceptIt,
);

export const E1_1025 = eventCase(
  'E1_1025_TH_VEN',
  'A LOAD_DISPATCH setpoint of 40 kW (powerReal) arrives with its unit',
  ['CHECKLIST 3.6 (LOAD_DISPATCH setpoint in powerReal)', 'TH E0_6025'],
  (venID) => {
    const base = priceEvent(freeSlot(), [40]);
    return forVen(
      {
        ...base,
        signals: [
          {
            signalName: 'LOAD_DISPATCH',
            signalType: 'setpoint',
            signalID: 'dispatch',
            itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 60, voltage: 240, ac: true } } },
            intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 40 }],
          },
        ],
      },
      venID,
    );
  },
  acceptIt,
);

export const E1_1027 = eventCase(
  'E1_1027_TH_VEN',
  'A two-interval price event with a baseline arrives with the baseline',
  ['CHECKLIST 3.6 (eiEventBaseline)', 'TH E0_6027'],
  (venID) => {
    const base = priceEvent(freeSlot(), [0.2, 0.3]);
    return forVen(
      {
        ...base,
        baseline: {
          dtstart: base.activePeriod.dtstart,
          duration: base.activePeriod.duration,
          intervals: [
            { duration: 'PT30M', uid: '0', signalPayload: 12 },
            { duration: 'PT30M', uid: '1', signalPayload: 14 },
          ],
          baselineID: 'baseline-1',
          resourceID: [],
          baselineName: 'usual load',
          itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 60, voltage: 240, ac: true } } },
        },
      },
      venID,
    );
  },
  acceptIt,
);

/** The same event with its first interval `minutes` longer (and the period with it). */
function lengthened(event: DescribedEvent, minutes: number): DescribedEvent {
  const signals = event.signals.map((s) => ({
    ...s,
    intervals: s.intervals.map((interval, i) => (i === 0 ? { ...interval, duration: `PT${30 + minutes}M` } : interval)),
  }));
  const total = signals[0]!.intervals.length * 30 + minutes;
  return { ...event, activePeriod: { ...event.activePeriod, duration: `PT${total}M` }, signals };
}

export const E1_1030 = eventCase(
  'E1_1030_TH_VEN',
  'A modification (first interval 10 min longer) arrives as modification 1 and is answered again',
  ['rule 5', 'TH E0_6030'],
  (venID) => forVen(priceEvent(freeSlot(), [0.12, 0.18]), venID),
  async (context, { ven, described, distribute, event, eventID }, signal) => {
    await accepted(ven, distribute, [event]);
    const change = await modified(context, eventID, lengthened(described, 10), 1, signal);
    await accepted(ven, change.distribute, [change.event]);
  },
);

export const A_E3_0470: VtnCase = eventCase(
  'A_E3_0470_TH_VEN',
  'A start-time modification (10 min later) arrives as modification 1 with the new dtstart',
  ['rule 5', 'TH A_E3_0470'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (context, { ven, described, distribute, event, eventID }, signal) => {
    await accepted(ven, distribute, [event]);
    const later = { ...described, activePeriod: { ...described.activePeriod, dtstart: formatDateTime(parseDateTime(described.activePeriod.dtstart) + 600_000) } };
    const change = await modified(context, eventID, later, 1, signal);
    await accepted(ven, change.distribute, [change.event]);
  },
);

export const A_E3_0484: VtnCase = eventCase(
  'A_E3_0484_TH_VEN',
  'Extending the last interval, twice: modifications 1 and 2 arrive and are answered',
  ['rule 5', 'TH A_E3_0484, A_E3_0490'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (context, { ven, described, distribute, event, eventID }, signal) => {
    await accepted(ven, distribute, [event]);
    for (const [minutes, modificationNumber] of [[15, 1], [30, 2]] as const) {
      const change = await modified(context, eventID, lengthened(described, minutes), modificationNumber, signal);
      await accepted(ven, change.distribute, [change.event]);
    }
  },
);

export const A_E3_0492: VtnCase = eventCase(
  'A_E3_0492_TH_VEN',
  'Cancelling a pending event: it arrives cancelled as the next modification, and the VEN acknowledges',
  ['rule 5 (cancel bumps modificationNumber)', 'rule 36', 'TH A_E3_0492'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (context, { ven, described, distribute, event, eventID }, signal) => {
    await accepted(ven, distribute, [event]);
    await ask(context, { kind: 'cancelEvent', venID: ven.venID(), eventID });
    const cancel = await nextDelivery(ven, eventID, signal);
    checkEvent(cancel.event, described, { venID: ven.venID(), modificationNumber: 1, status: 'cancelled' });
    await accepted(ven, cancel.distribute, [cancel.event]);
  },
);

export const A_E3_0527: VtnCase = eventCase(
  'A_E3_0527_TH_VEN',
  'An event whose x-eiRampUp has begun arrives with status near',
  ['CHECKLIST 3.3 (x-eiRampUp decides near)', 'TH A_E3_0527'],
  (venID) => {
    const start = freeSlot();
    const event = priceEvent(start, [0.1]);
    const rampUpMinutes = Math.ceil((start - Date.now()) / 60_000) + 60;
    return forVen({ ...event, activePeriod: { ...event.activePeriod, 'x-eiRampUp': `PT${rampUpMinutes}M` } }, venID);
  },
  acceptIt,
  'near',
);

export const A_E3_0685: VtnCase = eventCase(
  'A_E3_0685_TH_VEN',
  'An event with a start randomization (startafter PT5M) carries it',
  ['rule 30', 'TH A_E3_0685'],
  (venID) => {
    const event = priceEvent(freeSlot(), [0.1]);
    return forVen({ ...event, activePeriod: { ...event.activePeriod, tolerance: { startafter: 'PT5M' } } }, venID);
  },
  acceptIt,
);

export const A_E3_0468: VtnCase = eventCase(
  'A_E3_0468_TH_VEN',
  'An event needing no response is not answered, and the VTN does not send it again',
  ['rules 12, 62', 'TH A_E3_0468'],
  (venID) => forVen({ ...priceEvent(freeSlot(), [0.1]), responseRequired: 'never' }, venID),
  async (_context, { ven }) => expectNothingMore(ven, 'the event needs no response and nothing changed'),
);

export const A_E3_0500: VtnCase = eventCase(
  'A_E3_0500_TH_VEN',
  'The VEN opts out of an event by oadrCreatedEvent: acknowledged, and the VTN does not send the event again',
  ['rules 16, 17 (optOut honoured)', 'TH A_E3_0500'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    await accepted(ven, distribute, [event], { optType: 'optOut' });
    await expectNothingMore(ven, 'the VEN opted out and nothing changed');
  },
);

export const E1_1070 = eventCase(
  'E1_1070_TH_VEN',
  'The VEN answers an event with 460 (signal not supported): the VTN takes the answer with 200',
  ['rule 19', 'TH E0_6070'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => accepted(ven, distribute, [event], { responseCode: '460', optType: 'optOut' }),
);

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

export const E1_1080 = eventCase(
  'E1_1080_TH_VEN',
  'oadrCreatedEvent with the venID in swapped case is answered with 452',
  ['CHECKLIST 2.2 (wrong-case venID: 452)', 'TH E0_6080'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    const swapped = swapCase(ven.venID());
    if (swapped === ven.venID()) throw new CaseFailure(`venID ${ven.venID()} has no letters to swap the case of`);
    expectCode('oadrResponse to oadrCreatedEvent with a case-swapped venID', await respond(ven, distribute, [event], { venID: swapped }), '452');
    await accepted(ven, distribute, [event]);
  },
);

/** Rule 48: a VTN refuses an illogical oadrCreatedEvent with a 4xx application code. */
function refused(what: string, code: string): void {
  if (!/^4\d\d$/.test(code)) throw new CaseFailure(`${what}: responseCode ${code}, expected a 4xx refusal (rule 48)`);
}

export const A_E3_0720 = eventCase(
  'A_E3_0720_TH_VEN',
  'An oadrCreatedEvent for an eventID the VTN never sent is refused (4xx)',
  ['rule 48', 'TH A_E3_0720'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    const unknown: OadrEvent = { ...event, eiEvent: { ...event.eiEvent, eventDescriptor: { ...event.eiEvent.eventDescriptor, eventID: `th-unknown-${HarnessVen.requestID()}` } } };
    refused('oadrResponse to oadrCreatedEvent for an unknown eventID', await respond(ven, distribute, [unknown]));
    await accepted(ven, distribute, [event]);
  },
);

export const A_E3_0730 = eventCase(
  'A_E3_0730_TH_VEN',
  'An oadrCreatedEvent naming a modificationNumber the event never had is refused (4xx)',
  ['rule 48', 'TH A_E3_0730'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    const descriptor = event.eiEvent.eventDescriptor;
    const wrong: OadrEvent = { ...event, eiEvent: { ...event.eiEvent, eventDescriptor: { ...descriptor, modificationNumber: descriptor.modificationNumber + 5 } } };
    refused('oadrResponse to oadrCreatedEvent with a wrong modificationNumber', await respond(ven, distribute, [wrong]));
    await accepted(ven, distribute, [event]);
  },
);

export const A_E3_0780 = eventCase(
  'A_E3_0780_TH_VEN',
  'An oadrCreatedEvent naming a venID that is not the sender\'s is refused (4xx)',
  ['rule 48', 'CHECKLIST 2.2 (463)', 'TH A_E3_0780'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    refused('oadrResponse to oadrCreatedEvent from another venID', await respond(ven, distribute, [event], { venID: `th-not-${ven.venID()}` }));
    await accepted(ven, distribute, [event]);
  },
);

/** An opt-out through EiOpt for one event (qualifiedEventID, no availability windows). */
async function optOutOf(ven: HarnessVen, event: OadrEvent): Promise<void> {
  const { eventID, modificationNumber } = event.eiEvent.eventDescriptor;
  await createOpt(ven, `opt-${HarnessVen.requestID()}`, { optType: 'optOut', optReason: 'notParticipating', qualifiedEventID: { eventID, modificationNumber }, eiTarget: { venID: [ven.venID()] } });
}

export const E1_1060 = eventCase(
  'E1_1060_TH_VEN',
  'After opting in, the VEN opts out of the event through oadrCreateOpt: acknowledged with its optID',
  ['rules 16, 17', 'CHECKLIST 5 (event opt)', 'TH E0_6060'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    await accepted(ven, distribute, [event]);
    await optOutOf(ven, event);
  },
);

export const E1_1065 = eventCase(
  'E1_1065_TH_VEN',
  'An event opt-out through EiOpt, then a conflicting optIn by oadrCreatedEvent: acknowledged, not refused (the VTN ignores it, rule 206)',
  ['rule 206', 'TH E0_6065'],
  (venID) => forVen(priceEvent(freeSlot(), [0.1]), venID),
  async (_context, { ven, distribute, event }) => {
    await optOutOf(ven, event);
    await accepted(ven, distribute, [event]);
  },
);

export const E1_1040: VtnCase = {
  id: 'E1_1040_TH_VEN',
  title: 'Two events (SIMPLE and a price) arrive together and one oadrCreatedEvent answers both',
  ...pull,
  checks: ['rule 9 (SIMPLE levels)', 'rule 12', 'rule 50', 'TH E0_6040'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    await ensureRegistered(ven);
    const known = await knownEventIDs(ven);
    const price = forVen(priceEvent(freeSlot(), [0.2]), ven.venID());
    const base = priceEvent(freeSlot(), [2]);
    const simple = forVen({ ...base, signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 'simple', intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 2 }] }] }, ven.venID());
    await ask(context, { kind: 'createEvent', venID: ven.venID(), event: simple });
    await ask(context, { kind: 'createEvent', venID: ven.venID(), event: price });
    const { distribute, events } = await newEvents(ven, known, 2, signal);
    for (const described of [simple, price]) {
      const event = events.find((e) => e.eiEvent.eiEventSignals.eiEventSignal.some((s) => s.signalName === described.signals[0]!.signalName));
      if (event === undefined) throw new CaseFailure(`the distribute carries no ${described.signals[0]!.signalName} event`);
      checkEvent(event, described, { venID: ven.venID(), modificationNumber: 0, status: 'far' });
    }
    await accepted(ven, distribute, events);
  },
};

export const A_E3_0510: VtnCase = {
  id: 'A_E3_0510_TH_VEN',
  title: 'Two active events of two market contexts, priorities 2 and 1: priority 1 comes first, each carries its current value; both cancelled',
  ...pull,
  checks: ['rule 15 (active events by priority)', 'rule 14 (currentValue)', 'rule 5', 'TH A_E3_0510, A_E3_0657'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    await ensureRegistered(ven);
    const known = await knownEventIDs(ven);
    const start = Math.floor(Date.now() / 1_000) * 1_000;
    // Market contexts of their own: an active event left by an earlier run cannot overlap these (rule 18).
    const contexts = `${MARKET_CONTEXT}/${HarnessVen.requestID()}`;
    const low = forVen({ ...priceEvent(start, [0.3, 0.4], 'PT30S'), marketContext: `${contexts}/a`, priority: 2 }, ven.venID());
    const high = forVen({ ...priceEvent(start, [0.5, 0.6], 'PT30S'), marketContext: `${contexts}/b`, priority: 1 }, ven.venID());
    await ask(context, { kind: 'createEvent', venID: ven.venID(), event: low });
    await ask(context, { kind: 'createEvent', venID: ven.venID(), event: high });
    const { distribute, events } = await newEvents(ven, known, 2, signal);
    const find = (described: DescribedEvent): OadrEvent => {
      const event = events.find((e) => e.eiEvent.eventDescriptor.marketContext === described.marketContext);
      if (event === undefined) throw new CaseFailure(`the distribute carries no event of market context ${described.marketContext}`);
      checkEvent(event, described, { venID: ven.venID(), modificationNumber: 0, status: 'active' });
      const { currentValue } = event.eiEvent.eiEventSignals.eiEventSignal[0]!;
      const executing = described.signals[0]!.intervals[0]!.signalPayload;
      if (currentValue !== executing) throw new CaseFailure(`active event ${event.eiEvent.eventDescriptor.eventID} has currentValue ${currentValue ?? 'none'}, its first interval carries ${executing} (rule 14)`);
      return event;
    };
    const [first, second] = [find(high), find(low)];
    const order = (distribute.oadrEvent ?? []).map((e) => e.eiEvent.eventDescriptor.eventID);
    if (order.indexOf(first.eiEvent.eventDescriptor.eventID) > order.indexOf(second.eiEvent.eventDescriptor.eventID)) {
      throw new CaseFailure('the priority 2 event comes before the priority 1 event; active events go by priority (rule 15)');
    }
    await accepted(ven, distribute, events);
    for (const [event, described] of [[first, high], [second, low]] as const) {
      const eventID = event.eiEvent.eventDescriptor.eventID;
      await ask(context, { kind: 'cancelEvent', venID: ven.venID(), eventID });
      const cancel = await nextDelivery(ven, eventID, signal);
      checkEvent(cancel.event, described, { venID: ven.venID(), modificationNumber: 1, status: 'cancelled' });
      await accepted(ven, cancel.distribute, [cancel.event]);
    }
  },
};

export const G1_4015: VtnCase = {
  id: 'G1_4015_TH_VEN',
  title: 'An event and a report request queued together arrive in successive polls, nothing idle between them',
  ...pull,
  checks: ['CHECKLIST 1.4 (poll delivers one message at a time)', 'TH G1_4015'],
  unavailable: needsOperator,
  async run(context) {
    const { ven } = context;
    const { status } = await prepare(ven);
    const known = await knownEventIDs(ven);
    const event = forVen(priceEvent(freeSlot(), [0.1]), ven.venID());
    await ask(context, { kind: 'createEvent', venID: ven.venID(), event });
    await ask(context, { kind: 'requestReport', venID: ven.venID(), reportSpecifierID: status.reportSpecifierID, granularity: 'PT0S', reportBackDuration: 'PT0S' });
    const seen = new Set<string>();
    for (let poll = 1; seen.size < 2; poll++) {
      const message = await ven.receive('OadrPoll', { type: 'oadrPoll', body: { venID: ven.venID() } });
      if (message.type === 'oadrResponse') throw new CaseFailure(`poll ${poll} found nothing, with ${seen.has('oadrDistributeEvent') ? 'the report request' : 'the event'} still to deliver`);
      if (poll > 2) throw new CaseFailure(`poll ${poll} delivered ${message.type}: an event and a report request take two polls`);
      seen.add(message.type);
      if (message.type === 'oadrDistributeEvent') {
        const fresh = (message.body.oadrEvent ?? []).filter((e) => !known.has(e.eiEvent.eventDescriptor.eventID));
        if (fresh.length !== 1) throw new CaseFailure(`the distribute carries ${fresh.length} new events, the operator created 1`);
        checkEvent(fresh[0]!, event, { venID: ven.venID(), modificationNumber: 0, status: 'far' });
        await accepted(ven, message.body, fresh);
      } else if (message.type === 'oadrCreateReport') {
        await ven.exchange(
          'EiReport',
          { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: message.body.requestID }, oadrPendingReports: [], venID: ven.venID() } },
          'oadrResponse',
        );
      } else {
        throw new CaseFailure(`poll ${poll} delivered ${message.type}, expected the event or the report request`);
      }
    }
  },
};

/** The event cases in the order a session runs them. */
export const VTN_EVENT_CASES: readonly VtnCase[] = [
  E1_1020,
  E1_1025,
  E1_1027,
  E1_1030,
  E1_1040,
  E1_1060,
  E1_1065,
  E1_1070,
  E1_1080,
  A_E3_0468,
  A_E3_0500,
  A_E3_0470,
  A_E3_0484,
  A_E3_0492,
  A_E3_0527,
  A_E3_0685,
  A_E3_0720,
  A_E3_0730,
  A_E3_0780,
  A_E3_0510,
  G1_4015,
];
