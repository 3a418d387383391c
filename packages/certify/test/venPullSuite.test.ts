import type { VenClient } from '@oadr-kit/ven';
import { HarnessVtn, runCases, summaryTable, VEN_PULL_CASES } from '../src/index.js';
import { ourVen, sharedPki } from './brokenVen.js';
import { venOperatorOf } from './venOperator.js';

describe('the VEN pull suite against our own VEN over mutual TLS', () => {
  const pki = sharedPki;
  let vtn: HarnessVtn;
  let ven: VenClient;

  beforeAll(async () => {
    vtn = new HarnessVtn({ credentials: pki.vtnCredentials, ca: pki.ca, pollFrequency: 'PT0S' });
    await vtn.start();
    ven = ourVen(vtn.url, 'pull');
    const registered = ven.next('registered');
    await ven.start();
    await registered;
  });

  afterAll(async () => {
    await ven.stop();
    await vtn.close();
  });

  test('every case passes', async () => {
    const results = await runCases(VEN_PULL_CASES, { vtn, operator: venOperatorOf(ven) }, { timeoutMs: 15_000 });
    const failures = results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`);
    expect({ failures, table: summaryTable(results) }).toEqual({ failures: [], table: expect.any(String) });
  }, 90_000);
});
