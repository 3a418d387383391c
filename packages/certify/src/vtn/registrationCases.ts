/**
 * Registration (N) cases against a VTN in pull mode beyond the first registration: a pre-allocated
 * venID, registering again with and without the registrationID, and the two things only the VTN's
 * operator starts (cancelling a VEN's registration, asking it to register again).
 */
import { venFingerprint } from '@oadr-kit/security';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { drainPolls, ensureRegistered, ensureUnregistered, pollFor, register, reply, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;

async function queried(ven: HarnessVen): Promise<{ registrationID: string | undefined; venID: string | undefined }> {
  const reply = await ven.exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: HarnessVen.requestID() } }, 'oadrCreatedPartyRegistration');
  expectCode('oadrCreatedPartyRegistration', reply.eiResponse.responseCode, '200');
  return { registrationID: reply.registrationID, venID: reply.venID };
}

/** Renews the registration with its registrationID: the VTN keeps both IDs (TH N0_5065). */
async function renewed(ven: HarnessVen): Promise<void> {
  const before = ven.registration!;
  const created = await register(ven, { venID: before.venID, registrationID: before.registrationID });
  if (created.registrationID !== before.registrationID || created.venID !== before.venID) {
    throw new CaseFailure(`renewing registration ${before.registrationID} of ${before.venID} gave registrationID "${created.registrationID}" venID "${created.venID}"`);
  }
  await drainPolls(ven);
}

export const N1_0025: VtnCase = {
  id: 'N1_0025_TH_VEN',
  title: 'A VEN registers with the venID the operator pre-allocated for its certificate',
  ...pull,
  checks: ['CHECKLIST 1.4 step 2 (venID in oadrCreatePartyRegistration)', 'TH N0_5025'],
  unavailable: (context) => needsOperator(context) ?? (context.newcomer === undefined ? 'needs a certificate the VTN has never seen (VtnUnderTest.newcomer)' : undefined),
  async run(context) {
    const newcomer = context.newcomer!;
    const venID = `th-preallocated-${HarnessVen.requestID()}`;
    const credential = newcomer.options.credentials[0];
    if (credential === undefined) throw new CaseFailure('the newcomer presents no certificate');
    await ask(context, { kind: 'preallocateVen', venID, fingerprint: venFingerprint(credential.certificatePem) });
    const created = await register(newcomer, { venID });
    if (created.venID !== venID) throw new CaseFailure(`registered with pre-allocated venID ${venID}, the VTN answered venID "${created.venID}"`);
    await drainPolls(newcomer);
    await ensureUnregistered(newcomer);
  },
};

export const N1_0060: VtnCase = {
  id: 'N1_0060_TH_VEN',
  title: 'Registering anew while registered (no registrationID) succeeds, and a query then names the new registration',
  ...pull,
  checks: ['TH N0_5060'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const created = await register(ven);
    const now = await queried(ven);
    if (now.registrationID !== created.registrationID || now.venID !== created.venID) {
      throw new CaseFailure(`the query names registrationID "${now.registrationID}" venID "${now.venID}", the new registration is "${created.registrationID}" / "${created.venID}"`);
    }
    await drainPolls(ven);
  },
};

export const N1_0065: VtnCase = {
  id: 'N1_0065_TH_VEN',
  title: 'Registering again with the registrationID keeps the registrationID and venID',
  ...pull,
  checks: ['TH N0_5065'],
  async run({ ven }) {
    await ensureRegistered(ven);
    await renewed(ven);
  },
};

export const N1_0050: VtnCase = {
  id: 'N1_0050_TH_VEN',
  title: 'The operator asks the VEN to register again: oadrRequestReregistration by poll, acknowledged, then the renewal keeps the IDs',
  ...pull,
  checks: ['CHECKLIST 1.1 (oadrRequestReregistration answered by oadrResponse)', 'TH N0_5050'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    await ensureRegistered(ven);
    await ask(context, { kind: 'requestReregistration', venID: ven.venID() });
    const request = await pollFor(ven, 'oadrRequestReregistration', signal);
    if (request.venID !== ven.venID()) throw new CaseFailure(`oadrRequestReregistration names venID "${request.venID}", expected "${ven.venID()}"`);
    const acknowledgement = { type: 'oadrResponse' as const, body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: '' }, venID: ven.venID() } };
    if (ven.pushed !== undefined) {
      ven.pushed.reply(acknowledgement);
    } else {
      const ack = await ven.post('EiRegisterParty', acknowledgement);
      if (ack.status !== 200) throw new CaseFailure(`the oadrResponse acknowledging the reregistration request: HTTP ${ack.status}, expected 200`);
      if (ack.message !== undefined && ack.message.type !== 'oadrResponse') throw new CaseFailure(`the acknowledgement was answered with ${ack.message.type}`);
    }
    await renewed(ven);
  },
};

export const N1_0040: VtnCase = {
  id: 'N1_0040_TH_VEN',
  title: 'The operator cancels the VEN\'s registration: oadrCancelPartyRegistration by poll names it, the VEN acknowledges, a query finds none',
  ...pull,
  checks: ['CHECKLIST 1.1 (oadrCancelPartyRegistration / oadrCanceledPartyRegistration)', 'TH N0_5040'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    await ensureRegistered(ven);
    const { registrationID, venID } = ven.registration!;
    await ask(context, { kind: 'cancelRegistration', venID });
    try {
      const cancel = await pollFor(ven, 'oadrCancelPartyRegistration', signal);
      if (cancel.registrationID !== registrationID) throw new CaseFailure(`oadrCancelPartyRegistration names registrationID "${cancel.registrationID}", expected "${registrationID}"`);
      if (cancel.venID !== undefined && cancel.venID !== venID) throw new CaseFailure(`oadrCancelPartyRegistration names venID "${cancel.venID}", expected "${venID}"`);
      await reply(ven, { type: 'oadrCanceledPartyRegistration', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: cancel.requestID }, registrationID, venID } });
    } finally {
      // Whatever went wrong on the wire, the operator cancelled it: later cases register anew.
      ven.registration = undefined;
    }
    let after = await queried(ven);
    // A push VEN's acknowledgement is the HTTP answer to the push, which the VTN records after the exchange: it gets a moment.
    for (let retry = 0; ven.pushed !== undefined && after.registrationID !== undefined && retry < 10; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await queried(ven);
    }
    if (after.registrationID !== undefined) throw new CaseFailure(`after the cancellation the query still names registrationID "${after.registrationID}"`);
  },
};
