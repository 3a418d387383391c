export { runCli } from './main.js';
export { CliUsageError, ExitCode } from './CliError.js';
export { processIo, type CliIo } from './io.js';
