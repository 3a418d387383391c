/**
 * 2.0b cases against a VEN in pull mode (the harness plays a VTN: `_TH_VTN`). The VEN under test runs
 * on its own, pointed at the HarnessVtn; a case queues what the VTN would send and watches what the
 * VEN does. Every VEN message is also held to the schema and to checkConformance.
 */
import { formatDateTime } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { VEN_EVENT_CASES } from './eventCases.js';
import { inModel } from './models.js';
import { VEN_OPT_CASES } from './optCases.js';
import { N1_0050_VEN, N1_0065_VEN, N1_0070_VEN, VEN_CANCEL_CASES } from './registrationCases.js';
import { VEN_REPORT_CASES } from './reportCases.js';
import { testEvent } from './testEvent.js';
import { clean, distribute, registeredVen, type VenUnderTest } from './VenUnderTest.js';

export type { VenUnderTest } from './VenUnderTest.js';
export { testEvent } from './testEvent.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;
export const N1_0020_VEN: VenCase = {
  id: 'N1_0020_TH_VTN',
  title: 'Asked to re-register, the VEN registers again and exchanges metadata reports',
  ...pull,
  checks: ['CHECKLIST 1.4 steps 2-4', 'TH N1_0050 (re-registration)', 'ven-metadata', 'rule 311'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const from = vtn.mark();
    vtn.queue({ type: 'oadrRequestReregistration', body: { venID } });
    await vtn.waitFor('oadrResponse', from, signal);
    const registration = await vtn.waitFor('oadrCreatePartyRegistration', from, signal);
    if (registration.oadrHttpPullModel !== (vtn.model === 'pull')) throw new CaseFailure(`a ${vtn.model} VEN registers with oadrHttpPullModel ${String(vtn.model === 'pull')}`);
    if (vtn.model === 'push' && !registration.oadrTransportAddress) throw new CaseFailure('a push VEN registers with its oadrTransportAddress (CHECKLIST 2.1)');
    await vtn.waitFor('oadrRegisterReport', from, signal);
    const metadataFrom = vtn.mark();
    vtn.queue({ type: 'oadrRegisterReport', body: { requestID: 'th-vtn-metadata', oadrReport: [], venID } });
    const registered = await vtn.waitFor('oadrRegisteredReport', metadataFrom, signal);
    if (registered.eiResponse.requestID !== 'th-vtn-metadata') {
      throw new CaseFailure(`oadrRegisteredReport answers requestID "${registered.eiResponse.requestID}", expected "th-vtn-metadata"`);
    }
    clean(vtn, from);
  },
};

export const E1_1010: VenCase = {
  id: 'E1_1010_TH_VTN',
  title: 'An empty oadrDistributeEvent gets no oadrCreatedEvent',
  ...pull,
  checks: ['CHECKLIST 3.1 (empty distribute)', 'TH E1_1010'],
  async run({ vtn, pollsToAnswer }, signal) {
    registeredVen(vtn);
    const from = vtn.mark();
    vtn.events = [];
    vtn.queue({ type: 'oadrDistributeEvent', body: { requestID: 'th-empty', vtnID: vtn.vtnID } });
    await vtn.polls((pollsToAnswer ?? 2) + 1, signal);
    if (vtn.since(from).some((r) => r.message.type === 'oadrCreatedEvent')) throw new CaseFailure('the VEN answered an empty oadrDistributeEvent');
    clean(vtn, from);
  },
};

export const E1_1020: VenCase = {
  id: 'E1_1020_TH_VTN',
  title: 'A price event is answered with oadrCreatedEvent naming it, its modification and the distribute',
  ...pull,
  checks: ['rules 35, 42', 'CHECKLIST 3.5', 'TH E1_1020'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn));
    const { created, requestID, from } = await distribute(vtn, [event], signal);
    const response = created.eiCreatedEvent.eventResponses?.find((r) => r.qualifiedEventID.eventID === event.eiEvent.eventDescriptor.eventID);
    if (response === undefined) throw new CaseFailure('oadrCreatedEvent has no eventResponse for the event');
    if (response.responseCode !== '200') throw new CaseFailure(`eventResponse responseCode ${response.responseCode}, expected 200`);
    if (response.requestID !== requestID || response.qualifiedEventID.modificationNumber !== 0) {
      throw new CaseFailure(`eventResponse names requestID "${response.requestID}" and modification ${response.qualifiedEventID.modificationNumber}, expected "${requestID}" and 0`);
    }
    clean(vtn, from);
  },
};

export const E1_1030: VenCase = {
  id: 'E1_1030_TH_VTN',
  title: 'A modified event (new modificationNumber) is answered again',
  ...pull,
  checks: ['rules 5, 57', 'TH E1_1030'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const first = testEvent(venID);
    const start = vtn.mark();
    await distribute(vtn, [first], signal);
    const modified = structuredClone(first);
    modified.eiEvent.eventDescriptor.modificationNumber = 1;
    modified.eiEvent.eiActivePeriod.properties.dtstart = formatDateTime(Date.parse(first.eiEvent.eiActivePeriod.properties.dtstart) + 600_000);
    const { created } = await distribute(vtn, [modified], signal);
    const response = created.eiCreatedEvent.eventResponses?.find((r) => r.qualifiedEventID.eventID === first.eiEvent.eventDescriptor.eventID);
    if (response?.qualifiedEventID.modificationNumber !== 1) throw new CaseFailure('the answer does not acknowledge modification 1');
    clean(vtn, start);
  },
};

export const E1_1040: VenCase = {
  id: 'E1_1040_TH_VTN',
  title: 'Two events in one distribute get one eventResponse each',
  ...pull,
  checks: ['rule 19', 'CHECKLIST 3.5 (one message for all events)', 'TH E1_1040'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const simple = testEvent(venID, {
      signals: [{ intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 1 }], signalName: 'SIMPLE', signalType: 'level', signalID: 'simple' }],
    });
    const price = testEvent(venID);
    const { created, from } = await distribute(vtn, [simple, price], signal);
    const ids = new Set((created.eiCreatedEvent.eventResponses ?? []).map((r) => r.qualifiedEventID.eventID));
    for (const e of [simple, price]) {
      if (!ids.has(e.eiEvent.eventDescriptor.eventID)) throw new CaseFailure(`no eventResponse for ${e.eiEvent.eventDescriptor.eventID}`);
    }
    clean(vtn, from);
  },
};

export const E1_1070: VenCase = {
  id: 'E1_1070_TH_VTN',
  title: 'An event with an unsupported signal (x-CUSTOM_SIGNAL) is answered with 460',
  ...pull,
  checks: ['rule 48', 'TH E1_1070'],
  async run({ vtn }, signal) {
    const event = testEvent(registeredVen(vtn), {
      signals: [{ intervals: [{ duration: 'PT30M', uid: '0', signalPayload: 5 }], signalName: 'x-CUSTOM_SIGNAL', signalType: 'level', signalID: 'custom' }],
    });
    const { created, from } = await distribute(vtn, [event], signal);
    const response = created.eiCreatedEvent.eventResponses?.find((r) => r.qualifiedEventID.eventID === event.eiEvent.eventDescriptor.eventID);
    if (response?.responseCode !== '460') throw new CaseFailure(`the unsupported signal was answered with ${response?.responseCode ?? 'nothing'}, expected 460`);
    clean(vtn, from);
  },
};

export const E1_RESPONSE_NEVER: VenCase = {
  id: 'A_E1_0468_TH_VTN',
  title: 'An event with oadrResponseRequired never gets no answer',
  ...pull,
  checks: ['rules 12, 62', 'CHECKLIST 9.4'],
  async run({ vtn, pollsToAnswer }, signal) {
    const event = testEvent(registeredVen(vtn), { responseRequired: 'never' });
    const from = vtn.mark();
    vtn.events = [event];
    vtn.queue({ type: 'oadrDistributeEvent', body: { requestID: 'th-never', vtnID: vtn.vtnID, oadrEvent: [event] } });
    await vtn.polls((pollsToAnswer ?? 2) + 1, signal);
    if (vtn.since(from).some((r) => r.message.type === 'oadrCreatedEvent')) throw new CaseFailure('the VEN answered an event that requires no response');
    clean(vtn, from);
  },
};

/** Every VEN case as written once, in the order a session runs them; the cases that end the registration come last. */
export const VEN_CASE_BODIES: readonly VenCase[] = [
  N1_0020_VEN,
  N1_0050_VEN,
  N1_0065_VEN,
  N1_0070_VEN,
  E1_1010,
  E1_1020,
  E1_1030,
  E1_1040,
  E1_1070,
  E1_RESPONSE_NEVER,
  ...VEN_EVENT_CASES,
  ...VEN_OPT_CASES,
  ...VEN_REPORT_CASES,
  ...VEN_CANCEL_CASES,
];

/** The VEN pull suite: every case, skipped against a harness VTN in push mode. */
export const VEN_PULL_CASES: readonly VenCase[] = VEN_CASE_BODIES.map((c) => inModel(c, 'pull'));
