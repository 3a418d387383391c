import type { RunningVtn } from '@oadr-kit/vtn';
import { HarnessVen, runCases, VTN_PULL_CASES, type CaseResult } from '../src/index.js';
import { startFaultyProxy, type Fault } from './faultyProxy.js';
import { operatorOf, startOurVtn, testPki } from './pki.js';

describe('the VTN suite catches a broken VTN, case by case', () => {
  const pki = testPki();
  const clients = [pki.ven('harness-ven'), pki.ven('stranger')] as const;
  let vtn: RunningVtn;

  beforeAll(async () => {
    vtn = await startOurVtn(pki);
  });

  afterAll(async () => {
    await vtn.close();
  });

  async function runAgainst(fault: Fault): Promise<CaseResult[]> {
    const proxy = await startFaultyProxy({ target: vtn.url, ca: pki.ca, serverCredentials: pki.vtnCredentials, clients, fault });
    const harness = (name: string, index: 0 | 1) => new HarnessVen({ baseUrl: proxy.url, credentials: [clients[index]], ca: pki.ca, venName: name });
    const context = { ven: harness('harness-ven', 0), stranger: harness('stranger', 1), operator: operatorOf(vtn) };
    try {
      return await runCases(VTN_PULL_CASES, context, { timeoutMs: 15_000 });
    } finally {
      await context.ven.close();
      await context.stranger.close();
      await proxy.close();
    }
  }

  const failing = (results: CaseResult[]): string[] => results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`);

  test('through an honest proxy every case passes', async () => {
    expect(failing(await runAgainst((_service, answer) => answer))).toEqual([]);
  });

  test('a VTN that accepts a report for a reportRequestID it never sent fails R1_3190 and nothing else', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiReport') && answer.body.includes('oadrUpdatedReport') ? { ...answer, body: answer.body.replace('>452<', '>200<') } : answer,
    );
    expect(failing(results)).toEqual(['R1_3190_TH_VEN: oadrUpdatedReport for an unknown reportRequestID: responseCode 200, expected 452']);
  });

  test('a VTN that accepts the cancellation of an unknown opt fails P1_2050 and nothing else', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiOpt') && answer.body.includes('oadrCanceledOpt') ? { ...answer, body: answer.body.replace('>452<', '>200<') } : answer,
    );
    expect(failing(results)).toEqual(['P1_2050_TH_VEN: oadrCanceledOpt: responseCode 200, expected 452']);
  });

  test('a VTN answering polls as text/plain fails on rule 53 in G1_4011 and every report case waiting for a polled request', async () => {
    const results = await runAgainst((service, answer) => (service.endsWith('/OadrPoll') ? { ...answer, contentType: 'text/plain' } : answer));
    const reason = 'oadrPoll to OadrPoll: Content-Type "text/plain", expected application/xml (rule 53)';
    const ids = ['G1_4011', 'R1_3010', 'R1_3020', 'R1_3160', 'R1_3040', 'R1_3050', 'R1_3090', 'R1_3070'];
    expect(failing(results)).toEqual(ids.map((id) => `${id}_TH_VEN: ${reason}`));
  });

  test('a VTN that leaves requestID empty fails on rule 41 wherever it happens', async () => {
    const results = await runAgainst((service, answer) =>
      service.endsWith('/EiEvent') && answer.body.includes('oadrDistributeEvent') ? { ...answer, body: answer.body.replace(/<pyld:requestID>[^<]*<\/pyld:requestID>(<ei:vtnID>)/, '<pyld:requestID></pyld:requestID>$1') } : answer,
    );
    expect(failing(results)).toEqual([expect.stringMatching(/^E1_1050_TH_VEN: oadrDistributeEvent breaks rule-41/)]);
  });
});
