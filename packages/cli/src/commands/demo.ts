import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '../args.js';
import { ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';
import { runNegotiation } from './negotiate.js';

export const DEMO_HELP = `Usage: oadr demo [options]

Negotiates the day-ahead schedule of the 39-house community of the DRivE Woerden pilot (net load
after PV and a battery per house, one grid connection whose transformer allows 39 kW of import)
on the embedded defaults, and prints the outcome. The negotiation runs in-process with the ADMM
engine; the same negotiation between a VTN and 39 VENs over OpenADR comes with the next release.

Options:
  --tolerance <x>        relative residual tolerance (default 1e-4)
  --max-iterations <n>   give up after n iterations (default 10000)
  --json                 print the outcome as JSON
  -h, --help             show this help
`;

/** The embedded community: the instance bench/oracle/instance.py makes with H=39, seed 39. */
export const DEMO_INSTANCE_PATH = join(__dirname, '..', '..', 'data', 'community-39.instance.json');

export async function demoCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { values } = parseOptions('demo', argv, { tolerance: 'string', 'max-iterations': 'string', json: 'boolean' });
  if (values.help) {
    io.stdout.write(DEMO_HELP);
    return ExitCode.OK;
  }
  const instance = JSON.parse(readFileSync(DEMO_INSTANCE_PATH, 'utf8')) as unknown;
  if (values.json !== true) io.stdout.write('Day-ahead negotiation of the 39-house community (in-process ADMM)\n\n');
  return runNegotiation(instance, values, io, 'demo');
}
