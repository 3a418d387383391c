import { runCases, summaryTable, VEN_PUSH_CASES } from '../src/index.js';
import { ourVenSession, sharedPki } from './brokenVen.js';
import { venOperatorOf } from './venOperator.js';

describe('the VEN push suite against our own VEN in push mode over mutual TLS', () => {
  let session: Awaited<ReturnType<typeof ourVenSession>>;

  beforeAll(async () => {
    session = await ourVenSession('push');
  });

  afterAll(() => session.close());

  test('every case passes; the one for a VEN that also polls is skipped, as ours does not', async () => {
    const results = await runCases(VEN_PUSH_CASES, { vtn: session.vtn, operator: venOperatorOf(session.ven), stranger: sharedPki.ven('stranger') }, { timeoutMs: 15_000 });
    const notPassed = results.filter((r) => r.outcome !== 'passed').map((r) => `${r.id} ${r.outcome}: ${r.reason}`);
    expect({ notPassed, table: summaryTable(results) }).toEqual({
      notPassed: ['A_E0_0290_TH_VTN skipped: the VEN is not configured to poll in push mode (HarnessVtn pushVenPolls)'],
      table: expect.any(String),
    });
    expect(results.map((r) => r.id)).toEqual(expect.arrayContaining(['N0_5020_TH_VTN', 'E0_6020_TH_VTN', 'A_E0_0392_TH_VTN', 'P0_7010_TH_VTN', 'R0_8010_TH_VTN', 'N0_5080_TH_VTN']));
  }, 90_000);
});
