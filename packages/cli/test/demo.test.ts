import { run } from './helpers.js';

describe('oadr demo', () => {
  test('negotiates the embedded 39-house community to the oracle optimum and keeps the transformer limit', async () => {
    const { code, out } = await run(['demo', '--json']);
    expect(code).toBe(0);
    const outcome = JSON.parse(out) as { houses: number; converged: boolean; costEur: number; peakImportKw: number; importLimitKw: number; aloneCostEur: number };
    expect(outcome.houses).toBe(39);
    expect(outcome.converged).toBe(true);
    // The cvxopt oracle's optimum of this instance is 31.7960 EUR (bench/fixtures/community-39.solution.json).
    expect(Math.abs(outcome.costEur - 31.796) / 31.796).toBeLessThan(1e-3);
    expect(outcome.peakImportKw).toBeLessThanOrEqual(outcome.importLimitKw + 1e-3);
    expect(outcome.aloneCostEur).toBeGreaterThan(outcome.costEur);
  });

  test('prints a readable summary by default', async () => {
    const { code, out } = await run(['demo']);
    expect(code).toBe(0);
    expect(out).toContain('39-house community');
    expect(out).toMatch(/peak import\s+[\d.]+ kW of 39\.0 kW: limit holds/);
  });

  test('rejects unknown options', async () => {
    const { code, err } = await run(['demo', '--houses', '40']);
    expect(code).toBe(2);
    expect(err).toMatch(/Unknown option '--houses'/);
  });
});
