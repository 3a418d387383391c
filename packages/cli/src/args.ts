import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './CliError.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's options strictly: unknown options and stray arguments are usage errors. */
export function parseOptions<O extends Options>(command: string, argv: readonly string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) {
      throw new CliUsageError(`${command}: unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    throw new CliUsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Reads a numeric option, refusing anything that is not a finite number within bounds. */
export function numberOption(command: string, name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new CliUsageError(`${command}: --${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
