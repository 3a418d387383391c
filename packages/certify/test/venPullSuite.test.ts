import { runCases, summaryTable, VEN_PULL_CASES } from '../src/index.js';
import { ourVenSession } from './brokenVen.js';
import { venOperatorOf } from './venOperator.js';

describe('the VEN pull suite against our own VEN over mutual TLS', () => {
  let session: Awaited<ReturnType<typeof ourVenSession>>;

  beforeAll(async () => {
    session = await ourVenSession('pull');
  });

  afterAll(() => session.close());

  test('every case passes', async () => {
    const results = await runCases(VEN_PULL_CASES, { vtn: session.vtn, operator: venOperatorOf(session.ven) }, { timeoutMs: 15_000 });
    const failures = results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id}: ${r.reason}`);
    expect({ failures, table: summaryTable(results) }).toEqual({ failures: [], table: expect.any(String) });
  }, 90_000);
});
