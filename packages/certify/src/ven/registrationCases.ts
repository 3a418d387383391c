/**
 * 2.0b registration (N) cases against a VEN (the harness plays a VTN), beyond N1_0020: the VEN keeps
 * its registrationID when asked to re-register, refuses a cancellation naming another registration,
 * answers the VTN's cancellation and cancels on its operator's word. The two cancellations end the
 * registration, so a session runs them last.
 */
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode } from '../HarnessVen.js';
import { testEvent } from './testEvent.js';
import { ask, clean, distribute, registeredVen, withoutOperator, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;

/** Waits until a VEN registering since `from` has synchronised its events and is back in its rounds. */
async function settled(vtn: VenUnderTest['vtn'], from: number, signal: AbortSignal): Promise<void> {
  await vtn.waitFor('oadrRequestEvent', from, signal);
  await vtn.polls(1, signal);
}

export const N1_0065_VEN: VenCase = {
  id: 'N1_0065_TH_VTN',
  title: 'Asked to re-register, the VEN registers again with its venID and registrationID',
  ...pull,
  checks: ['CHECKLIST 1.4', 'TH N1_0065'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const { registrationID } = vtn.registration!;
    const from = vtn.mark();
    vtn.queue({ type: 'oadrRequestReregistration', body: { venID } });
    const again = await vtn.waitFor('oadrCreatePartyRegistration', from, signal);
    if (again.registrationID !== registrationID || again.venID !== venID) {
      throw new CaseFailure(`the VEN re-registered as venID "${again.venID ?? ''}" registrationID "${again.registrationID ?? ''}", expected "${venID}" and "${registrationID}"`);
    }
    await settled(vtn, from, signal);
    clean(vtn, from);
  },
};

export const N1_0050_VEN: VenCase = {
  id: 'N1_0050_TH_VTN',
  title: 'Asked to re-register, the VEN acknowledges with 200 and registers again; a push VEN keeps its transport address and still takes pushes',
  ...pull,
  checks: ['CHECKLIST 2.1 (oadrRequestReregistration answered by oadrResponse)', 'TH N1_0050 / N0_5050 (trailing slash of the transport address)'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const before = vtn.transportAddress;
    const from = vtn.mark();
    vtn.queue({ type: 'oadrRequestReregistration', body: { venID } });
    const ack = await vtn.waitFor('oadrResponse', from, signal);
    expectCode('oadrResponse to oadrRequestReregistration', ack.eiResponse.responseCode, '200');
    const again = await vtn.waitFor('oadrCreatePartyRegistration', from, signal);
    await settled(vtn, from, signal);
    if (vtn.model === 'push') {
      const trimmed = (address: string | undefined): string => (address ?? '').replace(/\/$/, '');
      if (trimmed(again.oadrTransportAddress) !== trimmed(before)) {
        throw new CaseFailure(`the VEN re-registered with oadrTransportAddress "${again.oadrTransportAddress ?? ''}", it had "${before ?? ''}"`);
      }
      await distribute(vtn, [testEvent(venID)], signal);
    }
    clean(vtn, from);
  },
};

export const N1_0070_VEN: VenCase = {
  id: 'N1_0070_TH_VTN',
  title: 'A cancellation naming another registrationID is refused with 452 and the VEN stays registered',
  ...pull,
  checks: ['CHECKLIST 2.2 (452: unknown registrationID)', 'TH N1_0070'],
  async run({ vtn, pollsToAnswer }, signal) {
    const venID = registeredVen(vtn);
    const from = vtn.mark();
    vtn.queue({ type: 'oadrCancelPartyRegistration', body: { requestID: 'th-cancel-other', registrationID: `${vtn.registration!.registrationID}-other`, venID } });
    const canceled = await vtn.waitFor('oadrCanceledPartyRegistration', from, signal);
    expectCode('oadrCanceledPartyRegistration', canceled.eiResponse.responseCode, '452');
    if (canceled.eiResponse.requestID !== 'th-cancel-other') throw new CaseFailure(`oadrCanceledPartyRegistration answers requestID "${canceled.eiResponse.requestID}", expected "th-cancel-other"`);
    await vtn.polls((pollsToAnswer ?? 2) + 1, signal);
    const registering = vtn.since(from).find((r) => r.message.type === 'oadrCreatePartyRegistration' || r.message.type === 'oadrCancelPartyRegistration');
    if (registering !== undefined) throw new CaseFailure(`after refusing the cancellation the VEN sent ${registering.message.type}: its registration should stand`);
    clean(vtn, from);
  },
};

export const N1_0040_VEN: VenCase = {
  id: 'N1_0040_TH_VTN',
  title: 'Cancelled by the VTN, the VEN acknowledges naming its registration and polls no more unless it registers anew',
  ...pull,
  checks: ['CHECKLIST 1.1 (oadrCancelPartyRegistration either direction)', 'TH N1_0040'],
  async run({ vtn, pollsToAnswer }, signal) {
    const venID = registeredVen(vtn);
    const { registrationID } = vtn.registration!;
    const from = vtn.mark();
    vtn.queue({ type: 'oadrCancelPartyRegistration', body: { requestID: 'th-cancel', registrationID, venID } });
    const canceled = await vtn.waitFor('oadrCanceledPartyRegistration', from, signal);
    expectCode('oadrCanceledPartyRegistration', canceled.eiResponse.responseCode, '200');
    if (canceled.registrationID !== registrationID) throw new CaseFailure(`oadrCanceledPartyRegistration names registrationID "${canceled.registrationID ?? ''}", expected "${registrationID}"`);
    const after = vtn.mark();
    // Quiet or registering anew are both what the spec allows; a poll as the old registration is not.
    await vtn.within('oadrCreatePartyRegistration', after, (pollsToAnswer ?? 2) + 1, signal);
    const sent = vtn.since(after);
    const registeredAt = sent.findIndex((r) => r.message.type === 'oadrCreatePartyRegistration');
    const stray = sent.slice(0, registeredAt === -1 ? sent.length : registeredAt).find((r) => r.message.type === 'oadrPoll' || r.message.type === 'oadrCreatedEvent' || r.message.type === 'oadrUpdateReport');
    // A VEN that registers anew is given the time to finish, so the cases after this one find it registered.
    if (registeredAt !== -1) await settled(vtn, after, signal);
    // A problem the harness saw in any message (a push VEN polling, say) is the root cause and is
    // reported first, whether the stray message came before or after the cancellation.
    clean(vtn, from);
    if (stray !== undefined) throw new CaseFailure(`after its registration was cancelled the VEN sent ${stray.message.type} without registering again`);
  },
};

export const N1_0030_VEN: VenCase = {
  id: 'N1_0030_TH_VTN',
  title: 'Told by its operator, the VEN cancels its registration, names it, and polls no more until it registers again',
  ...pull,
  checks: ['CHECKLIST 1.1', 'TH N1_0030'],
  unavailable: withoutOperator,
  async run(context, signal) {
    const { vtn, pollsToAnswer } = context;
    const venID = registeredVen(vtn);
    const { registrationID } = vtn.registration!;
    const from = vtn.mark();
    await ask(context, { text: `make VEN ${venID} cancel its registration`, action: { kind: 'cancelRegistration', venID } });
    const cancel = await vtn.waitFor('oadrCancelPartyRegistration', from, signal);
    if (cancel.registrationID !== registrationID || cancel.venID !== venID) {
      throw new CaseFailure(`oadrCancelPartyRegistration names registrationID "${cancel.registrationID}" venID "${cancel.venID ?? ''}", expected "${registrationID}" and "${venID}"`);
    }
    const after = vtn.mark();
    await vtn.rounds(pollsToAnswer ?? 2, signal);
    const stray = vtn.since(after).find((r) => r.message.type === 'oadrPoll');
    if (stray !== undefined) throw new CaseFailure('the VEN still polls after cancelling its registration');
    const restartFrom = vtn.mark();
    await ask(context, { text: `start VEN ${venID} again so that it registers`, action: { kind: 'restart', venID } });
    await vtn.waitFor('oadrCreatePartyRegistration', restartFrom, signal);
    await settled(vtn, restartFrom, signal);
    clean(vtn, from);
  },
};

/** The cases that end the registration, run after every other case of a session. */
export const VEN_CANCEL_CASES: readonly VenCase[] = [N1_0040_VEN, N1_0030_VEN];

