import { OadrError } from '@oadr-kit/protocol';
import { CliUsageError, ExitCode } from './CliError.js';
import { certifyCommand } from './commands/certify.js';
import { certsCommand } from './commands/certs.js';
import { demoCommand } from './commands/demo.js';
import { negotiateCommand } from './commands/negotiate.js';
import { venCommand } from './commands/ven.js';
import { vtnCommand } from './commands/vtn.js';
import type { CliIo } from './io.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<ExitCode>;

interface CommandEntry {
  readonly summary: string;
  readonly run: Command;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  certify: { summary: 'run the 2.0b certification cases against a VTN or a VEN', run: certifyCommand },
  certs: { summary: 'make a development PKI: CAs, VTN and VEN certificates', run: certsCommand },
  demo: { summary: 'negotiate the 39-house community day-ahead schedule on the embedded defaults', run: demoCommand },
  negotiate: { summary: 'negotiate a community schedule with the ADMM engine, in-process', run: negotiateCommand },
  ven: { summary: 'run the VENs of a scenario as simulated sites that negotiate with their own device models', run: venCommand },
  vtn: { summary: 'run a VTN (oadr vtn --config vtn.json; defaults work out of the box)', run: vtnCommand },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return `Usage: oadr <command> [options]

OpenADR 2.0b toolkit: VTN, VEN, conformance runner and an ADMM aggregator core.

Commands:
${lines.join('\n')}

Run "oadr <command> --help" for a command's options.
Exit codes: 0 success, 1 the command failed, 2 the command line is wrong.
`;
}

/** Runs the `oadr` command line; never throws, always resolves to an exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  const entry = COMMANDS[name];
  try {
    if (entry === undefined) throw new CliUsageError(`unknown command "${name}"`);
    return await entry.run(rest, io);
  } catch (error) {
    return report(error, name, io);
  }
}

/** Every oadr-kit error carries a stable OADR_ERR_ code (the aggregator's too, though it is not an OadrError). */
function hasCode(error: Error): error is Error & { code: string } {
  const { code } = error as { code?: unknown };
  return error instanceof OadrError || (typeof code === 'string' && code.startsWith('OADR_ERR_'));
}

/** Errors become one readable line; a stack only with OADR_DEBUG set, for bug reports. */
function report(error: unknown, command: string, io: CliIo): ExitCode {
  if (error instanceof CliUsageError) {
    io.stderr.write(`oadr: ${error.message} (see "oadr ${COMMANDS[command] === undefined ? '' : `${command} `}--help")\n`);
    return ExitCode.USAGE;
  }
  const message = error instanceof Error ? `${hasCode(error) ? `${error.code}: ` : ''}${error.message}` : String(error);
  io.stderr.write(`oadr ${command}: ${message}\n`);
  if (process.env['OADR_DEBUG'] !== undefined && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  return ExitCode.FAILURE;
}
