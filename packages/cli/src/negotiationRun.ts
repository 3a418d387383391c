import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CliIo } from './io.js';
import { negotiateOverOpenAdr, nextMidnightUtc, type OpenAdrNegotiationResult } from './openAdrNegotiation.js';
import { Progress, ResidualBar } from './progress.js';
import { renderNegotiationReport, type NegotiationReportData } from './report/negotiationReport.js';
import type { NegotiationScenario } from './scenario.js';
import { aloneCost, negotiateInProcess, scenarioFigures, type ScenarioFigures } from './scenarioOutcome.js';

export interface RunSettings {
  readonly over: 'openadr' | 'in-process';
  readonly tolerance: number;
  readonly maxRounds: number;
  readonly roundDeadlineMs: number;
  readonly transport: 'push' | 'pull';
  /** Where the OpenADR run keeps its PKI, database and scenario (default a temporary directory). */
  readonly workDir?: string;
  /**
   * Over OpenADR: once agreed (or not), called with the run while the VTN and VENs are still up;
   * they stay up until it resolves (the dashboard stays open).
   */
  readonly serveUntil?: (run: NegotiationRun, dashboardUrl: string, adminToken: string) => Promise<void>;
}

/** A negotiated scenario with its figures, whichever way it ran. */
export interface NegotiationRun {
  readonly scenario: NegotiationScenario;
  readonly over: RunSettings['over'];
  readonly agreed: boolean;
  readonly reason: string | undefined;
  readonly rounds: number;
  readonly seconds: number;
  readonly startMs: number;
  readonly tolerance: number;
  readonly figures: ScenarioFigures | undefined;
  readonly prices: readonly number[];
  readonly upstreamPrices: readonly number[] | undefined;
  readonly residuals: readonly { round: number; primal: number; dual: number }[];
  /** OpenADR only: payloads exchanged and their bytes, rounds each VEN answered and missed. */
  readonly messages: number | undefined;
  readonly bytes: number | undefined;
  readonly vens: readonly { name: string; rounds: number; missed: number; status: string; costEur: number | undefined }[];
  /** OpenADR only: the same scenario in-process to a tight tolerance, the optimum the agreement is measured against. */
  readonly reference: { readonly converged: boolean; readonly iterations: number; readonly seconds: number; readonly costEur: number } | undefined;
}

const REFERENCE_TOLERANCE = 1e-5;

/** Negotiates a scenario over OpenADR or in-process, with progress on stderr, and computes its figures. */
export async function runScenario(scenario: NegotiationScenario, settings: RunSettings, io: CliIo): Promise<NegotiationRun> {
  const progress = new Progress(io.stderr, 25);
  const bar = new ResidualBar(settings.tolerance);
  const show = (round: number, primal: number, dual: number) =>
    progress.update(`round ${String(round).padStart(4)} ${bar.render(Math.max(primal, dual))}  primal ${primal.toExponential(2)}  dual ${dual.toExponential(2)}  (target ${settings.tolerance.toExponential(0)})`);
  const alone = aloneCost(scenario, 1e-4);
  if (settings.over === 'in-process') {
    const run = negotiateInProcess(scenario, { tolerance: settings.tolerance, maxIterations: settings.maxRounds }, show);
    progress.done(`${run.converged ? 'agreed' : 'NOT agreed'} after ${run.iterations} iterations in ${run.seconds.toFixed(2)} s (in-process)`);
    return {
      scenario,
      over: 'in-process',
      agreed: run.converged,
      reason: run.converged ? undefined : `not converged within ${settings.maxRounds} iterations`,
      rounds: run.iterations,
      seconds: run.seconds,
      startMs: nextMidnightUtc(Date.now()),
      tolerance: settings.tolerance,
      figures: run.converged ? scenarioFigures(scenario, run.schedules, alone) : undefined,
      prices: run.prices,
      upstreamPrices: run.upstreamPrices,
      residuals: run.residuals,
      messages: undefined,
      bytes: undefined,
      vens: scenario.vens.map((v) => ({ name: v.name, rounds: run.iterations, missed: 0, status: 'in-process', costEur: undefined })),
      reference: undefined,
    };
  }
  // The VENs get a process of their own when the CLI runs built (two cores at work); from sources, they share this one.
  const venProcesses = existsSync(join(__dirname, 'bin.js')) ? 1 : 0;
  const toRun = (result: OpenAdrNegotiationResult): NegotiationRun => {
    const agreed = result.status === 'agreed' && result.outcome !== undefined;
    const schedules = new Map(result.vens.flatMap((v) => (v.schedules === undefined ? [] : [[v.name, v.schedules] as const])));
    const reference = negotiateInProcess(scenario, { tolerance: REFERENCE_TOLERANCE, maxIterations: 50_000 });
    return {
      scenario,
      over: 'openadr',
      agreed,
      reason: result.reason,
      rounds: result.rounds.length,
      seconds: result.seconds,
      startMs: result.startMs,
      tolerance: settings.tolerance,
      figures: agreed && schedules.size === scenario.vens.length ? scenarioFigures(scenario, schedules, alone) : undefined,
      prices: result.outcome?.prices ?? result.rounds.at(-1)?.prices ?? [],
      upstreamPrices: result.outcome?.upstreamPrices,
      residuals: result.rounds.map((r) => ({ round: r.round, primal: r.relativePrimal, dual: r.relativeDual })),
      messages: result.messages,
      bytes: result.bytes,
      vens: result.vens.map((v) => ({ name: v.name, rounds: v.rounds, missed: v.missed, status: v.status, costEur: v.costEur })),
      reference: { converged: reference.converged, iterations: reference.iterations, seconds: reference.seconds, costEur: scenarioFigures(scenario, reference.schedules, undefined).costEur },
    };
  };
  let run: NegotiationRun | undefined;
  const done = (result: OpenAdrNegotiationResult): NegotiationRun => {
    progress.done(`${result.status === 'agreed' ? 'agreed' : `NOT agreed (${result.reason ?? result.status})`} after ${result.rounds.length} rounds in ${result.seconds.toFixed(1)} s over OpenADR`);
    run = toRun(result);
    return run;
  };
  const result = await negotiateOverOpenAdr(scenario, {
    tolerance: settings.tolerance,
    maxRounds: settings.maxRounds,
    roundDeadlineMs: settings.roundDeadlineMs,
    transport: settings.transport,
    venProcesses,
    ...(settings.workDir === undefined ? {} : { workDir: settings.workDir }),
    onStatus: (text) => io.stderr.write(`${text}\n`),
    onRound: (p) => show(p.round, p.relativePrimal, p.relativeDual),
    ...(settings.serveUntil === undefined
      ? {}
      : { beforeTeardown: (vtn, ended) => settings.serveUntil?.(done(ended), `${vtn.adminUrl}/dashboard/`, vtn.app.adminToken) ?? Promise.resolve() }),
  });
  return run ?? done(result);
}

interface FigureRow {
  readonly label: string;
  readonly value: string;
  /** Whether the row states a met (true) or missed (false) requirement. */
  readonly ok?: boolean;
}

/** The key figures of a run, for the table and the report alike. */
function figureRows(run: NegotiationRun): FigureRow[] {
  const currency = run.scenario.currency ?? 'EUR';
  const rows: [string, string, boolean?][] = [['scenario', `${run.scenario.name} (${run.scenario.vens.length} VENs)`]];
  rows.push(['negotiated', run.over === 'openadr' ? `over OpenADR 2.0b, mutual TLS: ${run.rounds} rounds in ${run.seconds.toFixed(1)} s` : `in-process: ${run.rounds} iterations in ${run.seconds.toFixed(2)} s`]);
  if (run.messages !== undefined && run.bytes !== undefined) rows.push(['messages', `${run.messages.toLocaleString('en-US')} payloads, ${(run.bytes / 1e6).toFixed(1)} MB`]);
  const f = run.figures;
  if (f !== undefined) {
    rows.push(['cost', `${f.costEur.toFixed(2)} ${currency}${f.aloneCostEur === undefined ? '' : ` (every VEN alone: ${f.aloneCostEur.toFixed(2)} ${currency}, ${((1 - f.costEur / f.aloneCostEur) * 100).toFixed(1)}% saved)`}`]);
    if (run.reference !== undefined) {
      const gap = (f.costEur - run.reference.costEur) / Math.abs(run.reference.costEur);
      const solved = run.reference.converged ? `in-process to ${REFERENCE_TOLERANCE.toExponential(0)}` : `in-process, NOT converged to ${REFERENCE_TOLERANCE.toExponential(0)} in ${run.reference.iterations} iterations`;
      rows.push(['optimum', `${run.reference.costEur.toFixed(2)} ${currency} ${solved}: the agreement is ${(gap * 100).toFixed(3)}% from it`]);
    }
    rows.push(['peak import', `${f.peakImportKw.toFixed(1)} kW of ${f.importLimitKw.toFixed(1)} kW: ${limitText(f)}`, limitHolds(run)]);
    rows.push(['self-consumption', `${(f.selfConsumption * 100).toFixed(1)}% of the VENs' injections used inside the community`]);
  } else {
    rows.push(['outcome', `no agreement: ${run.reason ?? 'unknown'}`, false]);
  }
  if (run.upstreamPrices !== undefined) rows.push(['congestion price', `up to ${maxCongestion(run).toFixed(3)} ${currency}/kWh above the grid side`]);
  return rows.map(([label, value, ok]) => ({ label, value, ...(ok === undefined ? {} : { ok }) }));
}

/** The figures as lines of a table. */
export function runTable(run: NegotiationRun): string {
  const rows = figureRows(run);
  const width = Math.max(...rows.map((row) => row.label.length));
  return `${rows.map((row) => `  ${row.label.padEnd(width)}  ${row.value}`).join('\n')}\n`;
}

function limitText(f: ScenarioFigures): string {
  if (f.limitExcess === 0) return 'limit holds';
  return f.limitExcess <= 1e-2 ? `limit holds within ${(f.limitExcess * 100).toFixed(2)}% (the agreement's tolerance)` : `LIMIT EXCEEDED by ${(f.limitExcess * 100).toFixed(1)}%`;
}

function maxCongestion(run: NegotiationRun): number {
  const upstream = run.upstreamPrices ?? [];
  return Math.max(0, ...run.prices.map((p, t) => p - (upstream[t] ?? p)));
}

/** Whether the agreement keeps the import limit (within 1%, the tolerance of an agreement at 1e-3). */
export function limitHolds(run: NegotiationRun): boolean {
  return run.figures !== undefined && run.figures.limitExcess <= 1e-2;
}

/** The run as JSON for scripts. */
export function runJson(run: NegotiationRun): Record<string, unknown> {
  const f = run.figures;
  return {
    scenario: run.scenario.name,
    vens: run.scenario.vens.length,
    over: run.over,
    agreed: run.agreed,
    reason: run.reason,
    rounds: run.rounds,
    seconds: run.seconds,
    messages: run.messages,
    bytes: run.bytes,
    costEur: f?.costEur,
    aloneCostEur: f?.aloneCostEur,
    optimumCostEur: run.reference?.costEur,
    peakImportKw: f?.peakImportKw,
    importLimitKw: f?.importLimitKw,
    limitHolds: limitHolds(run),
    selfConsumption: f?.selfConsumption,
    pricesEurPerKwh: run.prices,
    upstreamPricesEurPerKwh: run.upstreamPrices,
    gridImportKw: f?.gridImportKw,
  };
}

/** Writes the HTML report of a run (charts inline, viewable offline). */
export function writeRunReport(run: NegotiationRun, path: string): void {
  const f = run.figures;
  const currency = run.scenario.currency ?? 'EUR';
  const data: NegotiationReportData = {
    title: `Day-ahead negotiation: ${run.scenario.name}`,
    subtitle: `${run.scenario.vens.length} VENs ${run.over === 'openadr' ? 'over OpenADR 2.0b with mutual TLS' : 'in-process'}, ${run.agreed ? 'agreed' : 'not agreed'} in ${run.rounds} rounds (${run.seconds.toFixed(1)} s)`,
    generatedAt: new Date().toISOString(),
    figures: figureRows(run),
    startMs: run.startMs,
    slotMinutes: run.scenario.horizon.slotMinutes,
    currency,
    prices: [
      { name: run.upstreamPrices === undefined ? 'community net' : 'community net (behind the transformer)', values: run.prices },
      ...(run.upstreamPrices === undefined ? [] : [{ name: 'grid side', values: run.upstreamPrices }]),
    ],
    residuals: run.residuals,
    tolerance: run.tolerance,
    gridKw: f?.gridImportKw ?? new Array<number>(run.scenario.horizon.slots).fill(0),
    importLimitKw: f?.importLimitKw ?? run.scenario.grid.importLimitKw,
    // A transformer limits both directions; the connection's own limits apply behind it too.
    exportLimitKw: Math.min(run.scenario.grid.exportLimitKw, run.scenario.grid.transformerKw ?? Number.POSITIVE_INFINITY),
    batteries: f?.storageKw ?? [],
    vens: {
      columns: ['VEN', 'status', 'rounds answered', 'rounds missed', `private cost (${currency})`],
      rows: run.vens.map((v) => [v.name, v.status, String(v.rounds), String(v.missed), v.costEur === undefined ? '' : v.costEur.toFixed(2)]),
    },
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderNegotiationReport(data));
}
