import { parseArgs } from 'node:util';
import { CliUsageError } from './CliError.js';

/** A command's options: each name is a string-valued or a boolean flag. */
export type OptionSpec = Readonly<Record<string, 'string' | 'boolean'>>;
export type OptionValues<S extends OptionSpec> = { [K in keyof S]?: S[K] extends 'string' ? string : boolean } & { help?: boolean };

/** Parses a command's options strictly: unknown options and stray arguments are usage errors. */
export function parseOptions<const S extends OptionSpec>(
  command: string,
  argv: readonly string[],
  spec: S,
  positionals = 0,
): { values: OptionValues<S>; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }]));
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) {
      throw new CliUsageError(`${command}: unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return { values: parsed.values as OptionValues<S>, positionals: parsed.positionals };
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
