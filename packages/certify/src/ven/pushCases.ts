/**
 * The VEN push suite (`*0_*_TH_VTN`): the harness VTN POSTs to the oadrTransportAddress the VEN
 * registered, over mutual TLS, and takes the VEN's requests. Every pull case that the checklist runs
 * in both models runs here with its body unchanged; what differs lives in HarnessVtn (how a message
 * reaches the VEN, how rounds pass without polls) and in the push-only cases below. A poll from a
 * push VEN is a problem in every case (CHECKLIST 2.1, TH Poll_PUSH) unless the VEN is configured to
 * poll as well (A_E0_0290).
 */
import { decodePayload, OadrProtocolError } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { inModel } from './models.js';
import { VEN_CASE_BODIES } from './pullCases.js';
import { clean, registeredVen, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
const push = { role: 'ven', model: 'push' } as const;

/** Pull-only: successive polls (TH G1_4015 has no push number). */
const PULL_ONLY = new Set(['G1_4015_TH_VTN']);

export const N0_5080_VEN: VenCase = {
  id: 'N0_5080_TH_VTN',
  title: 'A party the VEN never registered with pushes oadrRegisterReport: the VEN returns no OpenADR payload',
  ...push,
  checks: ['CHECKLIST 7.3 (5080: no payload at all)', 'CHECKLIST 9.14', 'TH N0_5080'],
  unavailable: (context) =>
    context.vtn.model !== 'push' ? 'a push case; the harness VTN runs the pull model' : context.stranger === undefined ? 'needs a second certificate (stranger) the VEN never registered with' : undefined,
  async run({ vtn, stranger }, signal) {
    const venID = registeredVen(vtn);
    const from = vtn.mark();
    const answer = await vtn.pushAs(stranger!, { type: 'oadrRegisterReport', body: { requestID: 'th-stranger', oadrReport: [], venID } });
    if (answer.body !== '') {
      let parsed = false;
      try {
        decodePayload(answer.body);
        parsed = true;
      } catch (error) {
        if (!(error instanceof OadrProtocolError)) throw error;
      }
      if (parsed) throw new CaseFailure(`the VEN answered a party it never registered with an OpenADR payload (HTTP ${answer.status})`);
    }
    await vtn.rounds(1, signal);
    clean(vtn, from);
  },
};

export const A_E0_0290_VEN: VenCase = {
  id: 'A_E0_0290_TH_VTN',
  title: 'A push VEN configured to poll as well polls, and its polls are answered',
  ...push,
  checks: ['CHECKLIST 2.1 (push VEN may also poll)', 'TH A_E0_0290'],
  unavailable: (context) =>
    context.vtn.model !== 'push' ? 'a push case; the harness VTN runs the pull model' : context.vtn.pushVenPolls ? undefined : 'the VEN is not configured to poll in push mode (HarnessVtn pushVenPolls)',
  async run({ vtn }, signal) {
    registeredVen(vtn);
    const from = vtn.mark();
    await vtn.waitFor('oadrPoll', from, signal);
    await vtn.waitFor('oadrPoll', vtn.mark(), signal);
    clean(vtn, from);
  },
};

/** The VEN push suite in the order a session runs it; the cases that end the registration come last. */
export const VEN_PUSH_CASES: readonly VenCase[] = (() => {
  const shared = VEN_CASE_BODIES.filter((c) => !PULL_ONLY.has(c.id)).map((c) => inModel(c, 'push'));
  const cancelling = shared.filter((c) => c.id === 'N0_5040_TH_VTN' || c.id === 'N0_5030_TH_VTN');
  return [...shared.filter((c) => !cancelling.includes(c)), N0_5080_VEN, A_E0_0290_VEN, ...cancelling];
})();
