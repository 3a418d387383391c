import { AdmmEngine, communityNetwork, type CommunityInstance } from '@oadr-kit/aggregator';

export interface SolveSettings {
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly rho?: number;
}

export interface CommunityOutcome {
  readonly houses: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly seconds: number;
  /** Cost of the agreed schedule, EUR (the repaired, balanced one). */
  readonly costEur: number;
  /** The certified optimality gap: the optimum is within this of costEur. */
  readonly gapEur: number;
  /** The same houses each behind a connection of their own with the same tariff, EUR in total. */
  readonly aloneCostEur: number;
  readonly peakImportKw: number;
  readonly importLimitKw: number;
  readonly peakExportKw: number;
  readonly exportLimitKw: number;
  /** Share of the houses' own surplus (PV above load) used inside the community rather than exported. */
  readonly selfConsumption: number;
  readonly pricesEurPerKwh: Float64Array;
  readonly gridImportKw: Float64Array;
}

function solve(instance: CommunityInstance, settings: SolveSettings, onIteration?: (iteration: number, primal: number, dual: number) => void) {
  const community = communityNetwork(instance);
  const engine = new AdmmEngine(community.network, settings.rho === undefined ? {} : { rho: settings.rho });
  let converged = false;
  while (engine.iteration < settings.maxIterations) {
    const report = engine.step();
    onIteration?.(report.iteration, report.relativePrimal, report.relativeDual);
    if (engine.converged(report, settings.tolerance)) {
      converged = true;
      break;
    }
  }
  return { community, engine, converged, certificate: engine.certificate() };
}

/** One house of a community instance on its own: its load and battery behind its own connection. */
function alone(instance: CommunityInstance, h: number): CommunityInstance {
  return {
    ...instance,
    H: 1,
    net_load: [instance.net_load[h]!],
    smax: [instance.smax[h]!],
    cmax: [instance.cmax[h]!],
    dmax: [instance.dmax[h]!],
    s0: [instance.s0[h]!],
    // instance.py scales the quadratic term of the shared connection as a0/H; a house alone pays a0.
    // Its own connection is not the community's transformer, so its limits do not bind.
    a: instance.a * instance.H,
  };
}

/** Negotiates a community's day-ahead schedule in-process and measures what the community gains. */
export function negotiateCommunity(
  instance: CommunityInstance,
  settings: SolveSettings,
  onIteration?: (iteration: number, primal: number, dual: number) => void,
): CommunityOutcome {
  const started = process.hrtime.bigint();
  const { community, engine, converged, certificate } = solve(instance, settings, onIteration);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const T = instance.T;
  const grid = engine.profile(community.gridId);
  // A terminal's power is what it takes from the net: the grid connection supplies the net when importing.
  const gridImportKw = new Float64Array(T);
  let peakImportKw = 0;
  let peakExportKw = 0;
  let exportedKwh = 0;
  for (let t = 0; t < T; t++) {
    gridImportKw[t] = -grid[t]!;
    peakImportKw = Math.max(peakImportKw, -grid[t]!);
    peakExportKw = Math.max(peakExportKw, grid[t]!);
    exportedKwh += Math.max(0, grid[t]!) * instance.dt;
  }
  let surplusKwh = 0;
  for (const row of instance.net_load) for (const p of row) surplusKwh += Math.max(0, -p) * instance.dt;
  let aloneCostEur = 0;
  for (let h = 0; h < instance.H; h++) aloneCostEur += solve(alone(instance, h), settings).certificate.repairedObjective;
  return {
    houses: instance.H,
    converged,
    iterations: engine.iteration,
    seconds,
    costEur: certificate.repairedObjective,
    gapEur: certificate.gap,
    aloneCostEur,
    peakImportKw,
    importLimitKw: instance.gimp,
    peakExportKw,
    exportLimitKw: instance.gexp,
    selfConsumption: surplusKwh === 0 ? 1 : (surplusKwh - exportedKwh) / surplusKwh,
    pricesEurPerKwh: engine.prices(community.netId),
    gridImportKw,
  };
}
