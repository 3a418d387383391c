import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeatPump } from '@oadr-kit/aggregator';
import { checkScenario, scenarioVenDevices, type NegotiationScenario } from '../src/scenario.js';
import { negotiateInProcess, scenarioFigures } from '../src/scenarioOutcome.js';
import { run } from './helpers.js';

/**
 * The runnable examples under examples/: each scenario is negotiated over OpenADR exactly as
 * `npm run example -- examples/<name>/scenario.json` does, and what its README promises is checked
 * on the outcome. Thresholds leave room for the agreement's tolerance, never for timing.
 */
const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
const NAMES = ['community-self-consumption', 'dso-congestion', 'fhp-heat-pumps'] as const;

/** What `oadr negotiate --json` prints (the fields the READMEs talk about). */
interface Outcome {
  agreed: boolean;
  over: string;
  rounds: number;
  costEur: number;
  aloneCostEur?: number;
  optimumCostEur: number;
  peakImportKw: number;
  importLimitKw: number;
  limitHolds: boolean;
  selfConsumption: number;
  pricesEurPerKwh: number[];
  upstreamPricesEurPerKwh?: number[];
  gridImportKw: number[];
}

function scenarioPath(name: string): string {
  return join(EXAMPLES, name, 'scenario.json');
}

function loadScenario(name: string): NegotiationScenario {
  return checkScenario(JSON.parse(readFileSync(scenarioPath(name), 'utf8')), name);
}

async function negotiateOverOpenAdr(name: string): Promise<Outcome> {
  const { code, out, err } = await run(['negotiate', '--scenario', scenarioPath(name), '--over', 'openadr', '--json']);
  expect(err).toMatch(/agreed after \d+ rounds in [\d.]+ s over OpenADR/);
  expect(code).toBe(0);
  const outcome = JSON.parse(out) as Outcome;
  expect(outcome).toMatchObject({ agreed: true, over: 'openadr' });
  // The VENs agree on the optimum the engine finds alone, within 0.5%.
  expect(Math.abs(outcome.costEur - outcome.optimumCostEur) / Math.abs(outcome.optimumCostEur)).toBeLessThan(5e-3);
  return outcome;
}

/** Energy over the horizon of the positive (import) or negative (export) part of a profile, kWh. */
function energy(kw: readonly number[], slotHours: number, part: 'import' | 'export'): number {
  return kw.reduce((sum, x) => sum + Math.max(0, part === 'import' ? x : -x) * slotHours, 0);
}

/** Sum over VENs and slots of one profile each VEN holds in its scenario (fixed loads, available wind). */
function scenarioProfile(scenario: NegotiationScenario, kind: string, field: string): number[] {
  const total = new Array<number>(scenario.horizon.slots).fill(0);
  for (const ven of scenario.vens) {
    for (const device of ven.devices) {
      if (device.kind !== kind) continue;
      const value = (device.parameters as unknown as Record<string, number | number[]>)[field]!;
      for (let t = 0; t < total.length; t++) total[t]! += typeof value === 'number' ? value : value[t]!;
    }
  }
  return total;
}

describe('examples/', () => {
  test('every example has a scenario that passes checkScenario, a small size and a README with its one command', () => {
    const folders = readdirSync(EXAMPLES, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    expect(folders).toEqual([...NAMES]);
    const index = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    for (const name of folders) {
      const scenario = loadScenario(name);
      expect(scenario.name).toBe(name);
      expect(scenario.vens.length).toBeLessThanOrEqual(10);
      expect(scenario.horizon.slots).toBeGreaterThanOrEqual(24);
      expect(scenario.horizon.slots).toBeLessThanOrEqual(96);
      expect(existsSync(join(EXAMPLES, name, 'README.md'))).toBe(true);
      expect(readFileSync(join(EXAMPLES, name, 'README.md'), 'utf8')).toContain(`npm run example -- examples/${name}/scenario.json`);
      expect(index).toContain(`${name}/`);
    }
  });

  test('community self-consumption: cheaper than every house alone, buys less, uses its own PV, import within the limit', async () => {
    const scenario = loadScenario('community-self-consumption');
    const outcome = await negotiateOverOpenAdr('community-self-consumption');
    const hours = scenario.horizon.slotMinutes / 60;
    // README: 14.9 EUR against 25.3 EUR for the houses alone (41% saved).
    expect(outcome.costEur).toBeLessThan(0.7 * outcome.aloneCostEur!);
    // README: 87% of the surplus PV is used inside the community.
    expect(outcome.selfConsumption).toBeGreaterThan(0.8);
    expect(outcome.limitHolds).toBe(true);
    expect(outcome.peakImportKw).toBeLessThanOrEqual(outcome.importLimitKw);
    // README: the community buys about 59 kWh, the houses alone about 96 kWh, and sell 45 kWh at 0.05 EUR/kWh.
    let aloneImportKwh = 0;
    for (const ven of scenario.vens) {
      const single: NegotiationScenario = { name: ven.name, horizon: scenario.horizon, grid: scenario.aloneConnection!, vens: [ven] };
      const alone = negotiateInProcess(single, { tolerance: 1e-4, maxIterations: 20_000 });
      aloneImportKwh += energy(scenarioFigures(single, alone.schedules, undefined).gridImportKw, hours, 'import');
    }
    const importKwh = energy(outcome.gridImportKw, hours, 'import');
    expect(importKwh).toBeLessThan(0.75 * aloneImportKwh);
  }, 30_000);

  test('DSO congestion: peak import at the transformer limit, a congestion price only in the binding slots', async () => {
    const scenario = loadScenario('dso-congestion');
    const outcome = await negotiateOverOpenAdr('dso-congestion');
    const limit = scenario.grid.transformerKw!;
    expect(outcome.importLimitKw).toBe(limit);
    expect(outcome.limitHolds).toBe(true);
    // At the limit, within the agreement's tolerance.
    expect(outcome.peakImportKw).toBeGreaterThan(0.99 * limit);
    const upstream = outcome.upstreamPricesEurPerKwh!;
    expect(upstream).toHaveLength(scenario.horizon.slots);
    const congestion = outcome.pricesEurPerKwh.map((price, t) => price - upstream[t]!);
    const binding = outcome.gridImportKw.map((kw, t) => (kw >= 0.98 * limit ? t : -1)).filter((t) => t >= 0);
    // README: the limit binds from 21:00 to midnight, with a congestion price of about 0.15 EUR/kWh.
    expect(binding).toEqual([21, 22, 23]);
    for (const t of binding) expect(congestion[t]!).toBeGreaterThan(0.1);
    outcome.gridImportKw.forEach((kw, t) => {
      if (kw < 0.9 * limit) expect(Math.abs(congestion[t]!)).toBeLessThan(5e-3);
    });
    // The same scenario without the transformer: the EVs and heat pumps pile onto the off-peak tariff.
    const connection = { ...scenario.grid };
    delete connection.transformerKw;
    const unconstrained: NegotiationScenario = { ...scenario, grid: connection };
    const free = negotiateInProcess(unconstrained, { tolerance: 1e-5, maxIterations: 20_000 });
    expect(free.converged).toBe(true);
    const freeImport = scenarioFigures(unconstrained, free.schedules, undefined).gridImportKw;
    // README: 30.0 kW at 23:00 without the transformer.
    expect(Math.max(...freeImport)).toBeGreaterThan(1.25 * limit);
    for (const t of binding) expect(freeImport[t]!).toBeGreaterThan(limit);
    // Load moved out of the congested slots: less imported there, more before them.
    const sum = (kw: readonly number[], from: number, to: number) => kw.slice(from, to).reduce((a, b) => a + b, 0);
    expect(sum(outcome.gridImportKw, 21, 24)).toBeLessThan(sum(freeImport, 21, 24) - 15);
    expect(sum(outcome.gridImportKw, 10, 21)).toBeGreaterThan(sum(freeImport, 10, 21) + 15);
  }, 30_000);

  test('FHP: the heat pumps heat in the surplus hours, keep the comfort band, and little of the surplus is exported', async () => {
    const scenario = loadScenario('fhp-heat-pumps');
    const outcome = await negotiateOverOpenAdr('fhp-heat-pumps');
    const hours = scenario.horizon.slotMinutes / 60;
    expect(outcome.costEur).toBeLessThan(outcome.aloneCostEur!);
    expect(outcome.limitHolds).toBe(true);
    // The local surplus: wind beyond the houses' fixed load, per slot.
    const wind = scenarioProfile(scenario, 'curtailable-generation', 'availableKw');
    const fixed = scenarioProfile(scenario, 'fixed-load', 'powerKw');
    const surplusKw = wind.map((kw, t) => Math.max(0, kw - fixed[t]!));
    const surplusSlots = surplusKw.map((kw, t) => (kw > 0 ? t : -1)).filter((t) => t >= 0);
    // README: 160 kWh of surplus in 11 of the 24 hours, 17 kWh of it exported (about 10%).
    const surplusKwh = surplusKw.reduce((a, b) => a + b * hours, 0);
    expect(energy(outcome.gridImportKw, hours, 'export')).toBeLessThan(0.15 * surplusKwh);
    expect(outcome.selfConsumption).toBeGreaterThan(0.85);
    // Device level (private to the VENs, so from the engine in-process): where the heat pumps' energy goes, and the temperatures.
    const solved = negotiateInProcess(scenario, { tolerance: 1e-4, maxIterations: 20_000 });
    expect(solved.converged).toBe(true);
    let heatPumpKwh = 0;
    let inSurplusKwh = 0;
    let heatPumps = 0;
    for (const ven of scenario.vens) {
      for (const device of scenarioVenDevices(scenario, ven)) {
        if (!(device instanceof HeatPump)) continue;
        heatPumps++;
        const kw = solved.schedules.get(ven.name)!.get(device.id)!;
        kw.forEach((p, t) => {
          heatPumpKwh += p * hours;
          if (surplusSlots.includes(t)) inSurplusKwh += p * hours;
        });
        const band = device.parameters as { minTempC: number; maxTempC: number };
        for (const temperature of device.temperatures(kw)) {
          expect(temperature).toBeGreaterThanOrEqual(band.minTempC - 0.05);
          expect(temperature).toBeLessThanOrEqual(band.maxTempC + 0.05);
        }
      }
    }
    expect(heatPumps).toBe(7);
    // README: all of the heat pumps' 144 kWh falls in the surplus hours (a fixed thermostat: 45%).
    expect(inSurplusKwh).toBeGreaterThan(0.9 * heatPumpKwh);
  }, 30_000);
});
