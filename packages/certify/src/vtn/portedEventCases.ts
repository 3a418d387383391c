/**
 * The 2.0a event cases ported to 2.0b, VTN side (A_E3, pull; A_E2 in push): modifications of the
 * start and of the last interval, cancellation, ramp-up and start randomization carried, no
 * response required, an opt-out honoured, refusals of illogical answers (rule 48), and the order
 * and current values of active events. Built from the same steps as the E cases.
 */
import { formatDateTime, parseDateTime, type OadrEvent } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { HarnessVen } from '../HarnessVen.js';
import { checkEvent, freeSlot, knownEventIDs, MARKET_CONTEXT, newEvents, nextDelivery, priceEvent } from './eventChecks.js';
import { accepted, acceptIt, eventCase, forVen, lengthened, modified } from './eventSteps.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { ensureRegistered, expectNothingMore, respond, type DescribedEvent, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;

/** Rule 48: a VTN refuses an illogical oadrCreatedEvent with a 4xx application code. */
function refused(what: string, code: string): void {
  if (!/^4\d\d$/.test(code)) throw new CaseFailure(`${what}: responseCode ${code}, expected a 4xx refusal (rule 48)`);
}


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

/** The ported cases in the order a session runs them. */
export const VTN_PORTED_EVENT_CASES: readonly VtnCase[] = [
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
];
