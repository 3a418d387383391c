/** The pino-compatible subset the VEN logs through; the default discards everything. */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

const discard = (): void => undefined;

export const silentLogger: Logger = Object.freeze({ debug: discard, info: discard, warn: discard, error: discard });

export function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error'].every((level) => typeof candidate[level] === 'function');
}
