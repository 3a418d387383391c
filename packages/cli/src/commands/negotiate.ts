import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { numberOption, parseOptions } from '../args.js';
import { CliUsageError, ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';
import { runJson, runScenario, runTable, writeRunReport, type NegotiationRun, type RunSettings } from '../negotiationRun.js';
import { checkScenario, communityScenario, readScenarioFile, type NegotiationScenario } from '../scenario.js';

export const NEGOTIATE_HELP = `Usage: oadr negotiate (--scenario <file.json> | --instance <file.json>) [options]

Negotiates a day-ahead schedule and prints the outcome: cost against every VEN optimising alone,
peak import against the transformer (or connection) limit, self-consumption, congestion price.

Over OpenADR (--over openadr) it makes a dev PKI, starts a VTN and one VEN client per VEN over
mutual TLS on 127.0.0.1; each VEN answers the rounds with its own device models, and the outcome is
compared with the optimum of the same scenario solved in-process. In-process (the default) the ADMM
engine solves the same scenario without transport.

A scenario is JSON: name, horizon {slots, slotMinutes}, grid (importPrice, exportPrice,
quadraticCost, importLimitKw, exportLimitKw, transformerKw), optional aloneConnection, and vens
[{name, devices: [{kind, id, parameters}]}] (see examples/). An instance is what
bench/oracle/instance.py writes: houses with a net load and a battery behind one connection.

Options:
  --scenario <file>       a negotiation scenario
  --instance <file>       a community instance (instead of a scenario)
  --over <how>            openadr or in-process (default in-process)
  --pull                  over OpenADR, VENs poll instead of taking pushes
  --tolerance <x>         relative residual tolerance (default: the scenario's, else 1e-3)
  --max-rounds <n>        give up after n rounds (default 2000); exit 1 if not agreed
  --round-deadline <ms>   over OpenADR, how long a round waits for the VENs (default 10000)
  --report <file.html>    write the HTML report (charts, viewable offline)
  --json                  print the outcome as JSON instead of a table
  -h, --help              show this help
`;

const FLAGS = {
  scenario: 'string',
  instance: 'string',
  over: 'string',
  pull: 'boolean',
  tolerance: 'string',
  'max-rounds': 'string',
  'round-deadline': 'string',
  report: 'string',
  json: 'boolean',
} as const;

export async function negotiateCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions('negotiate', argv, FLAGS);
  if (values.help) {
    io.stdout.write(NEGOTIATE_HELP);
    return ExitCode.OK;
  }
  if ((values.scenario === undefined) === (values.instance === undefined)) throw new CliUsageError('negotiate: give either --scenario or --instance');
  const scenario =
    values.scenario !== undefined ? readScenarioFile(resolve(io.cwd, values.scenario), 'negotiate') : instanceScenario(resolve(io.cwd, values.instance ?? ''));
  const over = values.over ?? 'in-process';
  if (over !== 'openadr' && over !== 'in-process') throw new CliUsageError(`negotiate: --over must be openadr or in-process, got "${over}"`);
  return negotiateScenario(scenario, { ...values, over }, io, 'negotiate');
}

export interface NegotiateFlags {
  readonly over: RunSettings['over'];
  readonly pull?: boolean | undefined;
  readonly tolerance?: string | undefined;
  readonly 'max-rounds'?: string | undefined;
  readonly 'round-deadline'?: string | undefined;
  readonly report?: string | undefined;
  readonly json?: boolean | undefined;
  readonly workDir?: string | undefined;
  readonly serveUntil?: RunSettings['serveUntil'];
}

/** Runs a scenario as the flags say, prints it, writes its report; exit 0 only for an agreement. */
export async function negotiateScenario(scenario: NegotiationScenario, flags: NegotiateFlags, io: CliIo, command: string): Promise<ExitCode> {
  const settings: RunSettings = {
    over: flags.over,
    tolerance: numberOption(command, 'tolerance', flags.tolerance, scenario.negotiation?.tolerance ?? 1e-3, 1e-9, 1),
    maxRounds: Math.round(numberOption(command, 'max-rounds', flags['max-rounds'], scenario.negotiation?.maxRounds ?? 2000, 1, 1e6)),
    roundDeadlineMs: Math.round(numberOption(command, 'round-deadline', flags['round-deadline'], scenario.negotiation?.roundDeadlineMs ?? 10_000, 10, 3_600_000)),
    transport: flags.pull === true ? 'pull' : 'push',
    ...(flags.workDir === undefined ? {} : { workDir: flags.workDir }),
    ...(flags.serveUntil === undefined ? {} : { serveUntil: flags.serveUntil }),
  };
  let shown = false;
  const show = (run: NegotiationRun) => {
    if (flags.report !== undefined) {
      const path = resolve(io.cwd, flags.report);
      writeRunReport(run, path);
      io.stderr.write(`report written to ${path}\n`);
    }
    io.stdout.write(flags.json === true ? `${JSON.stringify(runJson(run), null, 2)}\n` : runTable(run));
    shown = true;
  };
  const serve = flags.serveUntil;
  const run = await runScenario(
    scenario,
    {
      ...settings,
      // The outcome is shown before the VTN stays up for the operator, not after it stops.
      ...(serve === undefined
        ? {}
        : {
            serveUntil: async (ended: NegotiationRun, url: string, token: string) => {
              show(ended);
              await serve(ended, url, token);
            },
          }),
    },
    io,
  );
  if (!shown) show(run);
  return run.agreed ? ExitCode.OK : ExitCode.FAILURE;
}

function instanceScenario(path: string): NegotiationScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`negotiate: cannot read --instance ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let instance: unknown;
  try {
    instance = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`negotiate: --instance ${path} is not JSON: ${(error as Error).message}`);
  }
  return checkScenario(communityScenario(instance, { extras: false }), `negotiate: --instance ${path}`);
}
