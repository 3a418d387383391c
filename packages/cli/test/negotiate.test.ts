import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './helpers.js';

/** A small community in the instance.py format: 3 houses, 8 slots of an hour, one with PV surplus at noon. */
function smallInstance(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const T = 8;
  return {
    H: 3,
    T,
    dt: 1,
    net_load: [
      [0.5, 0.4, -1.5, -2.0, -1.0, 0.8, 1.5, 1.0],
      [0.6, 0.7, 0.9, 1.0, 1.1, 1.8, 2.2, 1.2],
      [0.3, 0.2, -0.5, -0.8, 0.4, 1.2, 1.9, 0.9],
    ],
    smax: [5, 0.01, 3],
    cmax: [2, 0.01, 1.5],
    dmax: [2, 0.01, 1.5],
    s0: [2.5, 0.005, 1.5],
    eta_c: 0.95,
    eta_d: 0.95,
    kappa: 0.01,
    pi_buy: [0.1, 0.1, 0.12, 0.12, 0.2, 0.3, 0.35, 0.2],
    pi_sell: 0.05,
    a: 0.05 / 3,
    gimp: 4.5,
    gexp: 6,
    ...overrides,
  };
}

async function withInstance(instance: unknown, extra: string[] = []) {
  const first = await run(['--help']);
  const file = join(first.cwd, 'instance.json');
  writeFileSync(file, typeof instance === 'string' ? instance : JSON.stringify(instance));
  return run(['negotiate', '--instance', 'instance.json', ...extra], first.cwd);
}

describe('oadr negotiate', () => {
  test('negotiates a small community and reports the outcome as JSON', async () => {
    const { code, out, err } = await withInstance(smallInstance(), ['--json', '--tolerance', '1e-5']);
    expect(code).toBe(0);
    expect(err).toMatch(/^converged after \d+ iterations/m);
    const outcome = JSON.parse(out) as Record<string, number | number[] | boolean>;
    expect(outcome['converged']).toBe(true);
    expect(outcome['houses']).toBe(3);
    // Trading surplus inside the community beats selling it at 0.05 and buying back at up to 0.35.
    expect(outcome['costEur'] as number).toBeLessThan(outcome['aloneCostEur'] as number);
    expect(outcome['peakImportKw'] as number).toBeLessThanOrEqual(4.5 + 1e-3);
    expect(outcome['selfConsumption'] as number).toBeGreaterThan(0);
    expect(outcome['selfConsumption'] as number).toBeLessThanOrEqual(1);
    expect(outcome['pricesEurPerKwh']).toHaveLength(8);
  });

  test('a binding import limit shows in the peak and in the price', async () => {
    type Outcome = { peakImportKw: number; pricesEurPerKwh: number[]; gridImportKw: number[] };
    const loose = JSON.parse((await withInstance(smallInstance({ gimp: 20 }), ['--json', '--tolerance', '1e-6'])).out) as Outcome;
    const tight = JSON.parse((await withInstance(smallInstance({ gimp: 3.5 }), ['--json', '--tolerance', '1e-6'])).out) as Outcome;
    expect(loose.peakImportKw).toBeGreaterThan(3.5 + 0.1);
    expect(tight.peakImportKw).toBeLessThanOrEqual(3.5 + 1e-3);
    // Where the limit binds, the price carries a congestion premium over the unconstrained one.
    const binding = tight.gridImportKw.map((kw, t) => (kw >= 3.5 - 1e-3 ? t : -1)).filter((t) => t >= 0);
    expect(binding.length).toBeGreaterThan(0);
    expect(Math.max(...binding.map((t) => tight.pricesEurPerKwh[t]! - loose.pricesEurPerKwh[t]!))).toBeGreaterThan(1e-3);
  });

  test('the table names the limit and whether it holds', async () => {
    const { code, out } = await withInstance(smallInstance());
    expect(code).toBe(0);
    expect(out).toMatch(/peak import\s+[\d.]+ kW of 4\.5 kW: limit holds/);
  });

  test('a run cut short by --max-iterations exits 1 and says so', async () => {
    const { code, err } = await withInstance(smallInstance(), ['--max-iterations', '3']);
    expect(code).toBe(1);
    expect(err).toContain('NOT converged after 3 iterations');
  });

  test('an inconsistent instance is one readable line naming the field, exit 1', async () => {
    const { code, err } = await withInstance(smallInstance({ smax: [5, 1] }));
    expect(code).toBe(1);
    expect(err).toBe('oadr negotiate: OADR_ERR_AGG_INVALID_INSTANCE: community instance: smax must be an array of 3 numbers\n');
  });

  test.each([
    [['negotiate'], /--instance is required/],
    [['negotiate', '--instance', 'missing.json'], /cannot read --instance .*missing\.json: ENOENT/],
    [['negotiate', '--instance', 'instance.json', '--tolerance', 'tiny'], /--tolerance must be a number from 1e-9 to 1, got "tiny"/],
  ])('%j is a usage error', async (argv, message) => {
    const { cwd } = await withInstance(smallInstance());
    const { code, err } = await run(argv, cwd);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('an instance file that is not JSON is a usage error', async () => {
    const { code, err } = await withInstance('{"H": 3,');
    expect(code).toBe(2);
    expect(err).toMatch(/is not JSON/);
  });
});
