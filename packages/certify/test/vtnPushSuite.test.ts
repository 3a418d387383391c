import type { RunningVtn } from '@oadr-kit/vtn';
import { HarnessVen, pushCaseID, runCases, summarize, VTN_PULL_CASES, VTN_PUSH_CASES, type VtnUnderTest } from '../src/index.js';
import { operatorOf, startOurVtn, testPki } from './pki.js';

describe('the VTN push suite against our own VTN over mutual TLS', () => {
  const pki = testPki();
  let vtn: RunningVtn;
  let context: VtnUnderTest;

  beforeAll(async () => {
    vtn = await startOurVtn(pki);
    const harness = (name: string, push = false) =>
      new HarnessVen({ baseUrl: vtn.url, credentials: [pki.ven(name)], ca: pki.ca, venName: name, ...(push ? { push: { credentials: pki.vtnCredentials } } : {}) });
    context = { ven: harness('harness-ven', true), stranger: harness('stranger'), newcomer: harness('newcomer'), operator: operatorOf(vtn) };
  });

  afterAll(async () => {
    await context.ven.close();
    await context.stranger?.close();
    await context.newcomer?.close();
    await vtn.close();
  });

  test('the push cases are the pull cases but those about polling, named with model digit 0', () => {
    expect(VTN_PUSH_CASES.map((c) => c.id)).toEqual(
      VTN_PULL_CASES.map((c) => c.id)
        .filter((id) => !['G1_4011_TH_VEN', 'G1_4015_TH_VEN'].includes(id))
        .map(pushCaseID),
    );
    expect([pushCaseID('N1_0020_TH_VEN'), pushCaseID('E1_1030_TH_VEN'), pushCaseID('R1_3190_TH_VEN'), pushCaseID('A_E3_0492_TH_VEN')]).toEqual([
      'N0_5020_TH_VEN',
      'E0_6030_TH_VEN',
      'R0_8190_TH_VEN',
      'A_E2_0492_TH_VEN',
    ]);
  });

  test('every case passes, with what the VTN sends pushed to the harness VEN\'s listener', async () => {
    const results = await runCases(VTN_PUSH_CASES, context, { timeoutMs: 20_000 });
    expect({ failures: results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`), ok: summarize(results).ok }).toEqual({ failures: [], ok: true });
  });
});
