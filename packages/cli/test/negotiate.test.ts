import { readFileSync, writeFileSync } from 'node:fs';
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
    expect(err).toMatch(/^agreed after \d+ iterations .* \(in-process\)$/m);
    const outcome = JSON.parse(out) as Record<string, number | number[] | boolean>;
    expect(outcome['agreed']).toBe(true);
    expect(outcome['vens']).toBe(3);
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
    const binding = tight.gridImportKw.map((kw, t) => (kw >= 3.5 - 5e-3 ? t : -1)).filter((t) => t >= 0);
    expect(binding.length).toBeGreaterThan(0);
    expect(Math.max(...binding.map((t) => tight.pricesEurPerKwh[t]! - loose.pricesEurPerKwh[t]!))).toBeGreaterThan(1e-3);
  });

  test('the table names the limit and whether it holds', async () => {
    const { code, out } = await withInstance(smallInstance());
    expect(code).toBe(0);
    expect(out).toMatch(/peak import\s+[\d.]+ kW of 4\.5 kW: limit holds/);
  });

  test('a run cut short by --max-rounds exits 1 and says so', async () => {
    const { code, err, out } = await withInstance(smallInstance(), ['--max-rounds', '3']);
    expect(code).toBe(1);
    expect(err).toContain('NOT agreed after 3 iterations');
    expect(out).toMatch(/outcome\s+no agreement: not converged within 3 iterations/);
  });

  test('an inconsistent instance is one readable line naming the field, exit 1', async () => {
    const { code, err } = await withInstance(smallInstance({ smax: [5, 1] }));
    expect(code).toBe(1);
    expect(err).toBe('oadr negotiate: OADR_ERR_AGG_INVALID_INSTANCE: community instance: smax must be an array of 3 numbers\n');
  });

  test.each([
    [['negotiate'], /give either --scenario or --instance/],
    [['negotiate', '--instance', 'instance.json', '--over', 'pigeon'], /--over must be openadr or in-process, got "pigeon"/],
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

/** Three houses over 24 hours: PV at noon, a battery each, an EV and a heat pump in the third. */
function smallScenario(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const slots = 24;
  const load = (h: number) => Array.from({ length: slots }, (_, t) => 0.5 + 0.2 * h + (t >= 17 && t < 21 ? 1.2 : 0) - (t >= 10 && t < 15 ? 2 : 0));
  const battery = { kind: 'battery', id: 'battery', parameters: { capacityKwh: 6, maxChargeKw: 2.5, maxDischargeKw: 2.5, initialSocKwh: 3, chargeEfficiency: 0.95, dischargeEfficiency: 0.95 } };
  return {
    name: 'three-houses',
    horizon: { slots, slotMinutes: 60 },
    grid: { importPrice: Array.from({ length: slots }, (_, t) => (t >= 17 && t < 21 ? 0.34 : 0.21)), exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 20, exportLimitKw: 20, transformerKw: 6 },
    aloneConnection: { importPrice: 0.25, exportPrice: 0.05, quadraticCost: 0.03, importLimitKw: 100, exportLimitKw: 100 },
    vens: [0, 1, 2].map((h) => ({
      name: `house-${h}`,
      devices: [
        { kind: 'fixed-load', id: 'load', parameters: { powerKw: load(h) } },
        { ...battery, parameters: { ...battery.parameters } },
        ...(h === 2
          ? [
              { kind: 'electric-vehicle', id: 'ev', parameters: { capacityKwh: 40, initialSocKwh: 10, requiredSocKwh: 24, arrivalSlot: 0, departureSlot: 7, maxChargeKw: 7.4 } },
              { kind: 'heat-pump', id: 'heat-pump', parameters: { maxPowerKw: 3, cop: 3, thermalCapacityKwhPerK: 8, heatLossKwPerK: 0.15, initialTempC: 20, minTempC: 19, maxTempC: 22, outdoorTempC: 3 } },
            ]
          : []),
      ],
    })),
    ...overrides,
  };
}

describe('oadr negotiate --scenario', () => {
  async function withScenario(scenario: unknown, extra: string[]) {
    const first = await run(['--help']);
    writeFileSync(join(first.cwd, 'scenario.json'), JSON.stringify(scenario));
    return run(['negotiate', '--scenario', 'scenario.json', ...extra], first.cwd);
  }

  test('over OpenADR the VENs agree on the in-process optimum, and the report is written', async () => {
    const { code, out, err, cwd } = await withScenario(smallScenario(), ['--over', 'openadr', '--json', '--report', 'report.html', '--tolerance', '1e-4']);
    expect(code).toBe(0);
    expect(err).toMatch(/agreed after \d+ rounds in [\d.]+ s over OpenADR/);
    const outcome = JSON.parse(out) as { agreed: boolean; over: string; messages: number; bytes: number; costEur: number; optimumCostEur: number; aloneCostEur: number; limitHolds: boolean };
    expect(outcome).toMatchObject({ agreed: true, over: 'openadr', limitHolds: true });
    expect(outcome.messages).toBeGreaterThan(0);
    expect(Math.abs(outcome.costEur - outcome.optimumCostEur) / outcome.optimumCostEur).toBeLessThan(1e-3);
    expect(outcome.costEur).toBeLessThan(outcome.aloneCostEur);
    const html = readFileSync(join(cwd, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('three-houses');
  }, 60_000);

  test('a bad device is one line naming the VEN, the device and the field', async () => {
    const scenario = smallScenario();
    const vens = scenario['vens'] as { devices: { parameters: Record<string, unknown> }[] }[];
    vens[1]!.devices[1]!.parameters['maxChargeKw'] = -1;
    const { code, err } = await withScenario(scenario, []);
    expect(code).toBe(2);
    expect(err).toMatch(/^oadr: negotiate: scenario .*scenario\.json: device "house-1\/battery": maxChargeKw must be at least 0 \(got -1\)/);
  });

  test.each([
    [{ vens: [] }, /vens must list at least one VEN/],
    [{ horizon: { slots: 24, slotMinutes: 0 } }, /horizon\.slotMinutes must be/],
    [{ vens: [{ name: 'a b', devices: [] }] }, /vens\[0\]\.name must be/],
  ])('scenario %j is refused with the field named', async (override, message) => {
    const { code, err } = await withScenario(smallScenario(override), []);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
