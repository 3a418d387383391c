import { HarnessVen, runCases, VTN_PUSH_CASES, type CaseResult } from '../src/index.js';
import { startFaultyProxy, type Fault, type RequestFault } from './faultyProxy.js';
import { operatorOf, startOurVtn, testPki } from './pki.js';

describe('the VTN push suite catches a VTN that pushes wrongly, case by case', () => {
  const pki = testPki();
  const venCredential = pki.ven('harness-ven');

  /**
   * Runs push cases with one proxy between the harness VEN and the VTN (breaking the VEN's requests
   * with `toVtn`, or the VTN's answers to them with `answers`) and one between the VTN and the harness
   * VEN's listener (breaking the VTN's pushes with `pushed`): the VEN registers the second proxy as its
   * transport address. Each run has a VTN
   * of its own: events of earlier runs would otherwise ride along in every push.
   */
  async function runAgainst(faults: { pushed?: RequestFault; toVtn?: RequestFault; answers?: Fault }, select: string[], timeoutMs = 15_000): Promise<CaseResult[]> {
    const vtn = await startOurVtn(pki);
    let listener = '';
    const pushProxy = await startFaultyProxy({ target: () => listener, ca: pki.ca, serverCredentials: pki.vtnCredentials, clients: pki.vtnCredentials, ...(faults.pushed === undefined ? {} : { requestFault: faults.pushed }) });
    const vtnProxy = await startFaultyProxy({ target: vtn.url, ca: pki.ca, serverCredentials: pki.vtnCredentials, clients: [venCredential], ...(faults.toVtn === undefined ? {} : { requestFault: faults.toVtn }), ...(faults.answers === undefined ? {} : { fault: faults.answers }) });
    const ven = new HarnessVen({ baseUrl: vtnProxy.url, credentials: [venCredential], ca: pki.ca, venName: 'harness-ven', push: { credentials: pki.vtnCredentials, transportAddress: pushProxy.url } });
    try {
      listener = (await ven.pushed?.start()) ?? '';
      return await runCases(VTN_PUSH_CASES, { ven, operator: operatorOf(vtn) }, { timeoutMs, select });
    } finally {
      await ven.close();
      await vtnProxy.close();
      await pushProxy.close();
      await vtn.close();
    }
  }
  const failing = (results: CaseResult[]): string[] => results.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped').map((r) => `${r.id}: ${r.reason}`);
  const eventsAndOpts = ['N0_*', 'E0_*', 'A_E2_*', 'P0_*'];

  test('through honest proxies the event, opt and registration cases pass', async () => {
    expect(failing(await runAgainst({}, eventsAndOpts))).toEqual([]);
  });

  test('a VTN that pushes events without their start randomization fails A_E2_0685 and nothing else', async () => {
    const dropped: RequestFault = (service, body) => (service.endsWith('/EiEvent') ? body.replace(/<xcal:tolerance>.*?<\/xcal:tolerance>/gs, '') : body);
    const results = await runAgainst({ pushed: dropped }, eventsAndOpts);
    expect(failing(results)).toEqual([expect.stringMatching(/^A_E2_0685_TH_VEN: event \S+ startafter: missing, the operator was asked for PT5M$/)]);
  });

  test('a VTN that does not bump modificationNumber in what it pushes fails the modification and cancellation cases and nothing else', async () => {
    const stale: RequestFault = (service, body) =>
      service.endsWith('/EiEvent') ? body.replace(/<ei:modificationNumber>1<\/ei:modificationNumber>/g, '<ei:modificationNumber>0</ei:modificationNumber>') : body;
    const results = await runAgainst({ pushed: stale }, eventsAndOpts);
    expect(failing(results)).toEqual(['E0_6030', 'A_E2_0470', 'A_E2_0484', 'A_E2_0492', 'A_E2_0510'].map((id) => expect.stringMatching(new RegExp(`^${id}_TH_VEN: event \\S+ has modificationNumber 0, expected 1 \\(rules 4, 5\\)$`))));
  });

  test('a push VTN that drops the report request riding on its oadrRegisteredReport fails R0_8060 and nothing else', async () => {
    const dropped: Fault = (service, answer) =>
      service.endsWith('/EiReport') && answer.body.includes('oadrRegisteredReport') ? { ...answer, body: answer.body.replace(/<oadr:oadrReportRequest>.*?<\/oadr:oadrReportRequest>/gs, '') } : answer;
    const results = await runAgainst({ answers: dropped }, ['N0_5020_TH_VEN', 'R0_8010_TH_VEN', 'R0_8060_TH_VEN']);
    expect(failing(results)).toEqual([expect.stringMatching(/^R0_8060_TH_VEN: the oadrRegisteredReport carries no report request for \S+ \(TELEMETRY_USAGE\); it carries none$/)]);
  });

  test('a VTN that takes a push VEN for a pull VEN (ignoring its transport address) fails every case waiting for a push', async () => {
    const asPull: RequestFault = (_service, body) =>
      body.includes('oadrCreatePartyRegistration')
        ? body.replace(/<oadr:oadrTransportAddress>[^<]*<\/oadr:oadrTransportAddress>/, '').replace('<oadr:oadrHttpPullModel>false<', '<oadr:oadrHttpPullModel>true<')
        : body;
    const results = await runAgainst({ toVtn: asPull }, ['N0_5010_TH_VEN', 'N0_5020_TH_VEN', 'E0_6020_TH_VEN', 'P0_7010_TH_VEN'], 2_000);
    expect(failing(results)).toEqual([
      'N0_5020_TH_VEN: the VTN never delivered its own oadrRegisterReport through oadrPoll (delivered: nothing)',
      'E0_6020_TH_VEN: no result within 2000 ms',
    ]);
  });
});
