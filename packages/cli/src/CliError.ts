import { OadrError } from '@oadr-kit/protocol';

/** Exit codes of the `oadr` command; scripts can rely on them. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed (a file could not be written, a negotiation did not converge, ...). */
  FAILURE: 1,
  /** The command line itself is wrong: unknown command or option, missing or malformed value. */
  USAGE: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A command-line mistake: printed as one line with a hint to --help, exit code 2. */
export class CliUsageError extends OadrError {
  constructor(message: string) {
    super('OADR_ERR_CLI_USAGE', message);
  }
}
