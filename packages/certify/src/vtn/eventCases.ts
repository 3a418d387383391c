/**
 * 2.0b event (E) cases against a VTN in pull mode, and G1_4015. A VTN publishes events when its
 * operator says so: each case asks the operator (VtnUnderTest `operator`) to create, modify or
 * cancel an event described in full, polls for the oadrDistributeEvent that follows, holds every
 * event to the description (eventChecks) and answers it as a VEN would (eventSteps). The ported
 * 2.0a cases are in portedEventCases.
 */
import type { OadrEvent } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { checkEvent, freeSlot, knownEventIDs, newEvents, priceEvent } from './eventChecks.js';
import { accepted, acceptIt, eventCase, forVen, lengthened, modified } from './eventSteps.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { createOpt } from './optCases.js';
import { VTN_PORTED_EVENT_CASES } from './portedEventCases.js';
import { prepare } from './reportExchange.js';
import { ensureRegistered, respond, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;

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
export const VTN_EVENT_CASES: readonly VtnCase[] = [E1_1020, E1_1025, E1_1027, E1_1030, E1_1040, E1_1060, E1_1065, E1_1070, E1_1080, ...VTN_PORTED_EVENT_CASES, G1_4015];
