import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { VtnError, VtnErrorCode } from './VtnError.js';

/** Where `schemas/vtn` lives: the repository's top level, two directories above this package's src or dist. */
export const VTN_SCHEMA_DIR = join(__dirname, '..', '..', '..', 'schemas', 'vtn');

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type StorageConfig =
  | { type: 'sqlite'; path?: string }
  | { type: 'postgres'; connectionString: string; schema?: string; poolSize?: number };

/** The configuration file (`schemas/vtn/config.schema.json` documents every field and its default). */
export interface VtnConfig {
  vtnID: string;
  listen: { host: string; port: number };
  tls?: { credentials: Array<{ keyFile: string; certificateFile: string }>; caFile: string; allowTls13: boolean };
  admin: { host: string; port: number; token?: string };
  storage: StorageConfig;
  /** RFC 5545 duration, e.g. PT10S. */
  pollFrequency: string;
  maxPayloadBytes: number;
  registration: { autoApprove: boolean };
  events: { cancelRetentionMs: number };
  push: {
    enabled: boolean;
    concurrency: number;
    connectionsPerOrigin: number;
    maxAttempts: number;
    initialBackoffMs: number;
    maxBackoffMs: number;
    timeoutMs: number;
    sweepIntervalMs: number;
  };
  logLevel: LogLevel;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** What a configuration file or caller may give: any subset; the rest takes its default. */
export type VtnConfigInput = DeepPartial<Omit<VtnConfig, 'storage'>> & { storage?: StorageConfig };

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(join(VTN_SCHEMA_DIR, 'config.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: true, useDefaults: true, strict: true }).compile(schema);
  }
  return validator;
}

/** ajv errors as `path: message` lines, the form every 4xx of the VTN carries in `details`. */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined, root = ''): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${root}${e.instancePath || '/'}: ${e.message ?? 'is invalid'}${extra}`;
  });
}

/**
 * Validates a configuration, fills in the defaults and freezes the result. Relative file paths are
 * resolved against `baseDir` (the configuration file's directory). Throws OADR_ERR_VTN_CONFIG_INVALID
 * listing every field at fault.
 */
export function resolveVtnConfig(input: VtnConfigInput = {}, baseDir = process.cwd()): Readonly<VtnConfig> {
  const copy = structuredClone(input) as Record<string, unknown>;
  const validate = compile();
  if (!validate(copy)) {
    const details = formatAjvErrors(validate.errors, 'config');
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `invalid VTN configuration: ${details.join('; ')}`, { details });
  }
  const config = copy as unknown as VtnConfig;
  const at = (file: string): string => (isAbsolute(file) ? file : resolve(baseDir, file));
  if (config.storage.type === 'sqlite') {
    const path = config.storage.path ?? 'vtn.db';
    config.storage = { type: 'sqlite', path: path === ':memory:' ? path : at(path) };
  }
  if (config.tls !== undefined) {
    config.tls = {
      ...config.tls,
      caFile: at(config.tls.caFile),
      credentials: config.tls.credentials.map((c) => ({ keyFile: at(c.keyFile), certificateFile: at(c.certificateFile) })),
    };
  }
  return deepFreeze(config);
}

/** Reads and resolves a JSON configuration file. */
export function loadVtnConfig(file: string): Readonly<VtnConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `cannot read configuration ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `configuration ${file} must hold a JSON object`);
  }
  return resolveVtnConfig(parsed as VtnConfigInput, dirname(resolve(file)));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
