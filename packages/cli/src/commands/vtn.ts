import { runVtnCli } from '@oadr-kit/vtn';
import { ExitCode } from '../CliError.js';
import type { CliIo } from '../io.js';

/** `oadr vtn [--config vtn.json]`: runs the VTN until SIGINT or SIGTERM, then shuts down gracefully. */
export async function vtnCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const code = await runVtnCli(argv, io.stderr);
  return code === 0 ? ExitCode.OK : code === 2 ? ExitCode.USAGE : ExitCode.FAILURE;
}
