/**
 * 2.0b cases against a VTN in pull mode (the harness plays a pull VEN: `_TH_VEN`, model digit 1).
 * Each states what it sends, what it expects and the rules it checks; every answer is also held to
 * the schema and to checkConformance by HarnessVen.
 */
import { formatDateTime } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { VTN_EVENT_CASES } from './eventCases.js';
import { VTN_OPT_CASES } from './optCases.js';
import { N1_0025, N1_0040, N1_0050, N1_0060, N1_0065 } from './registrationCases.js';
import { VTN_REPORT_CASES } from './reportCases.js';
import { G1_4010 } from './securityCases.js';
import { drainPolls, ensureRegistered, ensureUnregistered, register, registerMetadata, venMetadata, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;

export const N1_0010: VtnCase = {
  id: 'N1_0010_TH_VEN',
  title: 'Query registration while unregistered: the answer carries no registrationID',
  ...pull,
  checks: ['CHECKLIST 1.4 step 1', 'TH N0_5010'],
  async run({ ven }) {
    await ensureUnregistered(ven);
    const requestID = HarnessVen.requestID();
    const reply = await ven.exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID } }, 'oadrCreatedPartyRegistration');
    expectCode('oadrCreatedPartyRegistration', reply.eiResponse.responseCode, '200');
    if (reply.registrationID) throw new CaseFailure(`an unregistered VEN got registrationID "${reply.registrationID}"`);
    if (!reply.oadrProfiles.some((p) => p.oadrProfileName === '2.0b' && p.oadrTransports.includes('simpleHttp'))) {
      throw new CaseFailure('the VTN does not list profile 2.0b over simpleHttp');
    }
  },
};

export const N1_0020: VtnCase = {
  id: 'N1_0020_TH_VEN',
  title: 'Register, exchange metadata reports both ways',
  ...pull,
  checks: ['CHECKLIST 1.4 steps 2-4', 'rule 311', 'TH N1_0020'],
  async run({ ven }) {
    await ensureUnregistered(ven);
    await register(ven);
    await registerMetadata(ven, venMetadata(ven, Date.now()));
    const delivered = await drainPolls(ven);
    if (!delivered.includes('oadrRegisterReport')) {
      throw new CaseFailure(`the VTN never delivered its own oadrRegisterReport through oadrPoll (delivered: ${delivered.join(', ') || 'nothing'})`);
    }
  },
};

export const N1_0015: VtnCase = {
  id: 'N1_0015_TH_VEN',
  title: 'Query registration while registered: the IDs match',
  ...pull,
  checks: ['TH N0_5015'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const reply = await ven.exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: HarnessVen.requestID() } }, 'oadrCreatedPartyRegistration');
    const { registrationID, venID } = ven.registration!;
    if (reply.registrationID !== registrationID || reply.venID !== venID) {
      throw new CaseFailure(`query answered registrationID "${reply.registrationID}" venID "${reply.venID}", registered as "${registrationID}" / "${venID}"`);
    }
  },
};

export const G1_4011: VtnCase = {
  id: 'G1_4011_TH_VEN',
  title: 'A poll with nothing queued is answered by oadrResponse',
  ...pull,
  checks: ['CHECKLIST 1.1 OadrPoll', 'TH G1_4011'],
  async run({ ven }) {
    await ensureRegistered(ven);
    await drainPolls(ven);
    const reply = await ven.exchange('OadrPoll', { type: 'oadrPoll', body: { venID: ven.venID() } }, 'oadrResponse');
    expectCode('oadrResponse', reply.eiResponse.responseCode, '200');
  },
};

export const E1_1050: VtnCase = {
  id: 'E1_1050_TH_VEN',
  title: 'oadrRequestEvent is answered by oadrDistributeEvent from the registered VTN',
  ...pull,
  checks: ['rule 41', 'CHECKLIST 1.4 step 5', 'TH E1_1050'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const requestID = HarnessVen.requestID();
    const reply = await ven.exchange('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID, venID: ven.venID() } } }, 'oadrDistributeEvent');
    if (reply.vtnID !== ven.registration!.vtnID) throw new CaseFailure(`vtnID "${reply.vtnID}" is not the registered "${ven.registration!.vtnID}"`);
  },
};

export const N1_0070: VtnCase = {
  id: 'N1_0070_TH_VEN',
  title: 'Cancelling a registration with an invalid registrationID is answered with 452',
  ...pull,
  checks: ['TH N0_5070'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const reply = await ven.exchange(
      'EiRegisterParty',
      { type: 'oadrCancelPartyRegistration', body: { requestID: HarnessVen.requestID(), registrationID: `${ven.registration!.registrationID}-unknown`, venID: ven.venID() } },
      'oadrCanceledPartyRegistration',
    );
    expectCode('oadrCanceledPartyRegistration', reply.eiResponse.responseCode, '452');
  },
};

export const N1_0080: VtnCase = {
  id: 'N1_0080_TH_VEN',
  title: 'A party the VTN never registered gets no OpenADR payload back',
  ...pull,
  checks: ['TH N0_5080 (send...WithNoResponse)', 'CHECKLIST 9.14'],
  unavailable: ({ stranger }) => (stranger === undefined ? 'needs a second certificate the VTN never registered' : undefined),
  async run({ stranger }) {
    if (stranger === undefined) throw new CaseFailure('no unregistered party to send from');
    const reply = await stranger.post('EiOpt', {
      type: 'oadrCreateOpt',
      body: {
        optID: 'stranger-opt',
        optType: 'optOut',
        optReason: 'participating',
        venID: 'stranger',
        vavailability: [{ dtstart: formatDateTime(Date.now() + 3_600_000), duration: 'PT1H' }],
        createdDateTime: formatDateTime(Date.now()),
        requestID: HarnessVen.requestID(),
        eiTarget: {},
      },
    });
    if (reply.message !== undefined) throw new CaseFailure(`an unregistered party got ${reply.message.type} back (HTTP ${reply.status})`);
  },
};

export const N1_0030: VtnCase = {
  id: 'N1_0030_TH_VEN',
  title: 'The VEN cancels its registration',
  ...pull,
  checks: ['TH N0_5030'],
  async run({ ven }) {
    await ensureRegistered(ven);
    const { registrationID } = ven.registration!;
    await ensureUnregistered(ven);
    const after = await ven.exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: HarnessVen.requestID() } }, 'oadrCreatedPartyRegistration');
    if (after.registrationID === registrationID) throw new CaseFailure('the VTN still reports the cancelled registration');
  },
};

/** The VTN pull suite in the order a session runs it (registration first, cancellation last). */
export const VTN_PULL_CASES: readonly VtnCase[] = [
  N1_0010,
  N1_0020,
  N1_0015,
  N1_0060,
  N1_0065,
  N1_0025,
  G1_4010,
  G1_4011,
  E1_1050,
  ...VTN_EVENT_CASES,
  ...VTN_OPT_CASES,
  N1_0070,
  N1_0080,
  ...VTN_REPORT_CASES,
  N1_0050,
  N1_0040,
  N1_0030,
];
