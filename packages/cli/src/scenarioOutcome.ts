import { AdmmEngine, GridConnection, negotiationNetwork, type Device } from '@oadr-kit/aggregator';
import { gridModelOf, scenarioHorizon, scenarioVenDevices, type NegotiationScenario } from './scenario.js';

/** What each VEN will run: every device's schedule, kW per slot (private to the VEN). */
export type VenSchedules = ReadonlyMap<string, ReadonlyMap<string, Float64Array>>;

/** The figures of an agreed schedule, computed the same way whichever way it was negotiated. */
export interface ScenarioFigures {
  /** Every VEN's private cost plus the grid connection's, on the balanced schedule, in the scenario's currency. */
  readonly costEur: number;
  /** The same VENs each behind a connection of their own (`aloneConnection`), when the scenario gives one. */
  readonly aloneCostEur: number | undefined;
  /** Import from the grid per slot, kW (negative: export): the sum of what the VENs run. */
  readonly gridImportKw: readonly number[];
  readonly peakImportKw: number;
  readonly peakExportKw: number;
  /** The binding limit on import: the transformer's or the connection's, whichever is lower. */
  readonly importLimitKw: number;
  /** Peak import over the limit, relative (0 when the limit holds). */
  readonly limitExcess: number;
  /** Share of the VENs' injections into the community net used inside it rather than exported. */
  readonly selfConsumption: number;
  /** Each VEN's storage-like devices (batteries, EVs), kW per slot, for the report. */
  readonly storageKw: readonly { readonly name: string; readonly values: readonly number[] }[];
}

const STORAGE_KINDS = new Set(['battery', 'electric-vehicle']);

/** The grid connection's cost of importing `importKw` (its terminal takes the negative from the net). */
function connectionCost(scenario: NegotiationScenario, importKw: readonly number[]): number {
  const grid = new GridConnection('grid', gridModelOf(scenario.grid).connection, scenarioHorizon(scenario));
  return grid.cost(Float64Array.from(importKw, (kw) => -kw));
}

/** Figures of the schedules the VENs will run, with each VEN's private cost as its own models price it. */
export function scenarioFigures(scenario: NegotiationScenario, schedules: VenSchedules, aloneCostEur: number | undefined): ScenarioFigures {
  const T = scenario.horizon.slots;
  const hours = scenario.horizon.slotMinutes / 60;
  const importKw = new Array<number>(T).fill(0);
  let venCost = 0;
  let injectedKwh = 0;
  const storageKw: { name: string; values: number[] }[] = [];
  for (const ven of scenario.vens) {
    const mine = schedules.get(ven.name);
    if (mine === undefined) throw new Error(`no schedule for VEN ${ven.name}`);
    const devices: Device[] = scenarioVenDevices(scenario, ven);
    const house = new Array<number>(T).fill(0);
    for (const device of devices) {
      const kw = mine.get(device.id);
      if (kw === undefined) throw new Error(`VEN ${ven.name} has no schedule for device ${device.id}`);
      venCost += device.cost(Float64Array.from(kw));
      for (let t = 0; t < T; t++) house[t]! += kw[t]!;
      if (STORAGE_KINDS.has(device.kind)) storageKw.push({ name: `${ven.name}/${device.id}`, values: Array.from(kw) });
    }
    for (let t = 0; t < T; t++) {
      importKw[t]! += house[t]!;
      injectedKwh += Math.max(0, -house[t]!) * hours;
    }
  }
  const peakImportKw = Math.max(0, ...importKw);
  const peakExportKw = Math.max(0, ...importKw.map((kw) => -kw));
  const exportedKwh = importKw.reduce((sum, kw) => sum + Math.max(0, -kw) * hours, 0);
  const importLimitKw = Math.min(scenario.grid.importLimitKw, scenario.grid.transformerKw ?? Number.POSITIVE_INFINITY);
  return {
    costEur: venCost + connectionCost(scenario, importKw),
    aloneCostEur,
    gridImportKw: importKw,
    peakImportKw,
    peakExportKw,
    importLimitKw,
    limitExcess: Math.max(0, peakImportKw / importLimitKw - 1),
    selfConsumption: injectedKwh === 0 ? 1 : Math.max(0, (injectedKwh - exportedKwh) / injectedKwh),
    storageKw,
  };
}

export interface InProcessRun {
  readonly converged: boolean;
  readonly iterations: number;
  readonly seconds: number;
  readonly schedules: VenSchedules;
  /** The members' net price per slot, and the grid side's behind a transformer. */
  readonly prices: readonly number[];
  readonly upstreamPrices: readonly number[] | undefined;
  readonly residuals: readonly { round: number; primal: number; dual: number }[];
}

/**
 * The same scenario solved by the ADMM engine alone, every VEN's devices on the net (no transport):
 * the reference the negotiation over OpenADR is measured against.
 */
export function negotiateInProcess(
  scenario: NegotiationScenario,
  settings: { tolerance: number; maxIterations: number; rho?: number },
  onIteration?: (iteration: number, primal: number, dual: number) => void,
): InProcessRun {
  const started = process.hrtime.bigint();
  const net = negotiationNetwork(
    scenarioHorizon(scenario),
    gridModelOf(scenario.grid),
    scenario.vens.map((v) => ({ id: v.name, devices: v.devices })),
  );
  const rho = settings.rho ?? scenario.negotiation?.rho;
  const engine = new AdmmEngine(net.network, rho === undefined ? {} : { rho });
  const residuals: { round: number; primal: number; dual: number }[] = [];
  let converged = false;
  while (engine.iteration < settings.maxIterations) {
    const report = engine.step();
    residuals.push({ round: report.iteration, primal: report.relativePrimal, dual: report.relativeDual });
    onIteration?.(report.iteration, report.relativePrimal, report.relativeDual);
    if (engine.converged(report, settings.tolerance)) {
      converged = true;
      break;
    }
  }
  const schedules = new Map<string, Map<string, Float64Array>>();
  for (const ven of scenario.vens) {
    const mine = new Map<string, Float64Array>();
    for (const device of scenarioVenDevices(scenario, ven)) {
      // What the VEN would run: its device's schedule repaired to its own constraints.
      const repaired = new Float64Array(scenario.horizon.slots);
      device.repair(engine.profile(`${ven.name}/${device.id}`), repaired);
      mine.set(device.id, repaired);
    }
    schedules.set(ven.name, mine);
  }
  return {
    converged,
    iterations: engine.iteration,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    schedules,
    prices: Array.from(engine.prices(net.netId)),
    upstreamPrices: net.gridNetId === net.netId ? undefined : Array.from(engine.prices(net.gridNetId)),
    residuals,
  };
}

/** Every VEN optimising alone behind `aloneConnection`: the sum of their costs (undefined without one). */
export function aloneCost(scenario: NegotiationScenario, tolerance: number): number | undefined {
  const connection = scenario.aloneConnection;
  if (connection === undefined) return undefined;
  let sum = 0;
  for (const ven of scenario.vens) {
    const single: NegotiationScenario = { name: `${ven.name} alone`, horizon: scenario.horizon, grid: connection, vens: [ven] };
    const run = negotiateInProcess(single, { tolerance, maxIterations: 20_000 });
    sum += scenarioFigures(single, run.schedules, undefined).costEur;
  }
  return sum;
}
