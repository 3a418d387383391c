import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommunityInstance } from '@oadr-kit/aggregator';
import { numberOption, parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import { negotiateCommunity, type CommunityOutcome } from '../communityOutcome.js';
import type { CliIo } from '../io.js';
import { Progress } from '../progress.js';

export const NEGOTIATE_HELP = `Usage: oadr negotiate --instance <file.json> [options]

Negotiates a community's day-ahead schedule with the ADMM engine, in-process (no transport), and
prints the outcome: cost against every house optimising alone, peak import against the connection
limit, self-consumption of the houses' surplus. The instance is the JSON that
bench/oracle/instance.py writes (H houses with net load and a battery behind one grid connection).

Options:
  --instance <file>      the community instance (required)
  --tolerance <x>        relative residual tolerance (default 1e-4)
  --max-iterations <n>   give up after n iterations (default 10000); exit 1 if not converged
  --rho <x>              initial ADMM penalty (default: the engine's)
  --json                 print the outcome as JSON instead of a table
  -h, --help             show this help
`;

export async function negotiateCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions('negotiate', argv, {
    instance: 'string',
    tolerance: 'string',
    'max-iterations': 'string',
    rho: 'string',
    json: 'boolean',
  });
  if (values.help) {
    io.stdout.write(NEGOTIATE_HELP);
    return ExitCode.OK;
  }
  if (values.instance === undefined) throw new CliUsageError('negotiate: --instance is required');
  const instance = readInstance(resolve(io.cwd, values.instance));
  return runNegotiation(instance, values, io);
}

export interface NegotiationFlags {
  readonly tolerance?: string | undefined;
  readonly 'max-iterations'?: string | undefined;
  readonly rho?: string | undefined;
  readonly json?: boolean | undefined;
}

export function runNegotiation(instance: unknown, flags: NegotiationFlags, io: CliIo, command = 'negotiate'): ExitCode {
  const tolerance = numberOption(command, 'tolerance', flags.tolerance, 1e-4, 1e-9, 1);
  const maxIterations = Math.round(numberOption(command, 'max-iterations', flags['max-iterations'], 10_000, 1, 1e7));
  const rho = flags.rho === undefined ? undefined : numberOption(command, 'rho', flags.rho, 0, 1e-9, 1e9);
  const progress = new Progress(io.stderr, 200);
  const outcome = negotiateCommunity(instance as CommunityInstance, { tolerance, maxIterations, ...(rho === undefined ? {} : { rho }) }, (k, primal, dual) =>
    progress.update(`iteration ${k}  primal ${primal.toExponential(2)}  dual ${dual.toExponential(2)}  (target ${tolerance.toExponential(0)})`),
  );
  progress.done(`${outcome.converged ? 'converged' : 'NOT converged'} after ${outcome.iterations} iterations in ${outcome.seconds.toFixed(2)} s`);
  io.stdout.write(flags.json === true ? `${JSON.stringify(toJson(outcome), null, 2)}\n` : table(outcome));
  return outcome.converged ? ExitCode.OK : ExitCode.FAILURE;
}

function readInstance(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`negotiate: cannot read --instance ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliUsageError(`negotiate: --instance ${path} is not JSON: ${(error as Error).message}`);
  }
}

function toJson(o: CommunityOutcome): Record<string, unknown> {
  return { ...o, pricesEurPerKwh: Array.from(o.pricesEurPerKwh), gridImportKw: Array.from(o.gridImportKw) };
}

function table(o: CommunityOutcome): string {
  const eur = (x: number): string => `${x.toFixed(2)} EUR`;
  const saving = o.aloneCostEur === 0 ? 0 : (1 - o.costEur / o.aloneCostEur) * 100;
  const rows: [string, string][] = [
    ['houses', String(o.houses)],
    ['community cost (day)', `${eur(o.costEur)} (optimum within ${o.gapEur.toFixed(4)} EUR)`],
    ['every house alone', `${eur(o.aloneCostEur)} (community saves ${saving.toFixed(1)}%)`],
    ['peak import', `${o.peakImportKw.toFixed(2)} kW of ${o.importLimitKw.toFixed(1)} kW: ${o.peakImportKw <= o.importLimitKw + 1e-6 ? 'limit holds' : 'LIMIT EXCEEDED'}`],
    ['peak export', `${o.peakExportKw.toFixed(2)} kW of ${o.exportLimitKw.toFixed(1)} kW`],
    ['self-consumption', `${(o.selfConsumption * 100).toFixed(1)}% of the houses' surplus stays in the community`],
    ['price range', `${Math.min(...o.pricesEurPerKwh).toFixed(4)} to ${Math.max(...o.pricesEurPerKwh).toFixed(4)} EUR/kWh`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
