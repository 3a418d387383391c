import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseOptions } from '../args.js';
import { ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';
import { communityScenario } from '../scenario.js';
import { negotiateScenario } from './negotiate.js';

export const DEMO_HELP = `Usage: oadr demo [options]

Negotiates the day-ahead schedule of the 39-house community of the DRivE Woerden pilot on the
embedded defaults: houses with PV and a battery, some with an EV or a heat pump, behind one grid
connection whose transformer allows 39 kW of import. It makes a dev PKI, starts a VTN (SQLite) and
39 VEN clients over mutual TLS on 127.0.0.1; every VEN answers the VTN's price and target events
with its own device models and projected-usage reports until they agree. It prints the outcome
(cost against every house optimising alone and against the in-process optimum, peak import against
the transformer limit, self-consumption) and writes an HTML report with its charts.

Options:
  --out <dir>             where the report, the PKI and the VTN database go (default oadr-demo)
  --in-process            solve with the ADMM engine alone, no OpenADR (seconds instead of half a minute)
  --pull                  VENs poll instead of taking pushes
  --serve                 keep the VTN and the VENs up afterwards and print the dashboard's address
                          and admin token (the negotiation's history, prices and schedules); Ctrl-C stops
  --tolerance <x>         relative residual tolerance (default 1e-3 over OpenADR, 1e-5 in-process:
                          with every device on one net the engine's residuals are looser per house)
  --json                  print the outcome as JSON
  -h, --help              show this help
`;

function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** The embedded community: the instance bench/oracle/instance.py makes with H=39, seed 39. */
export const DEMO_INSTANCE_PATH = join(__dirname, '..', '..', 'data', 'community-39.instance.json');

export async function demoCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions('demo', argv, { out: 'string', 'in-process': 'boolean', pull: 'boolean', serve: 'boolean', tolerance: 'string', json: 'boolean' });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return ExitCode.OK;
  }
  const scenario = communityScenario(JSON.parse(readFileSync(DEMO_INSTANCE_PATH, 'utf8')) as unknown);
  const out = resolve(io.cwd, values.out ?? 'oadr-demo');
  if (values.json !== true) io.stdout.write(`Day-ahead negotiation of the ${scenario.vens.length}-house community\n\n`);
  return negotiateScenario(
    scenario,
    {
      over: values['in-process'] === true ? 'in-process' : 'openadr',
      pull: values.pull,
      tolerance: values.tolerance ?? (values['in-process'] === true ? '1e-5' : undefined),
      json: values.json,
      report: join(out, 'report.html'),
      workDir: out,
      ...(values.serve === true
        ? {
            serveUntil: async (_run: unknown, dashboardUrl: string, token: string) => {
              io.stderr.write(`\nThe VTN stays up: open ${dashboardUrl} and log in with the admin token\n  ${token}\nCtrl-C stops it.\n`);
              await interrupted();
            },
          }
        : {}),
    },
    io,
    'demo',
  );
}
