import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { OfferedPoint, OfferedReport } from './domain/vtnReports.js';
import { VtnError, VtnErrorCode } from './VtnError.js';

/**
 * The package's own copy of the configuration schema and the admin OpenAPI document, one directory
 * above src and dist alike, so an installed package needs no checkout of the repository; a test keeps
 * it identical to the published reference in the repository's `schemas/vtn`.
 */
export const VTN_SCHEMA_DIR = join(__dirname, '..', 'schemas');

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
  events: { cancelRetentionMs: number; cancelResendMs: number; cancelResends: number };
  /** Reports the VTN itself offers, fed by the operator through the admin API. */
  reports: OfferedReport[];
  /** Reports the VTN asks every VEN for on its oadrRegisteredReport, by name. */
  requestOnRegistration: ReportOnRegistration[];
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

/** A report the VTN requests from each VEN that registers one of this name (RFC 5545 durations). */
export interface ReportOnRegistration {
  /** Without the METADATA_ prefix the VEN's registration carries: TELEMETRY_USAGE, ..., or an x- name. */
  reportName: string;
  granularity: string;
  /** PT0S asks once; any other value runs until cancelled. */
  reportBackDuration: string;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** An offered report as a file or caller gives it: the fields with defaults may be left out. */
export type OfferedReportInput = Omit<OfferedReport, 'history' | 'points'> & {
  history?: string;
  points: Array<Pick<OfferedPoint, 'rID' | 'itemBase'> & Partial<OfferedPoint>>;
};

/** What a configuration file or caller may give: any subset; the rest takes its default. */
export type VtnConfigInput = DeepPartial<Omit<VtnConfig, 'storage' | 'reports'>> & { storage?: StorageConfig; reports?: OfferedReportInput[] };

/** The settings operators set per deployment, as `OADR_VTN_*` variables over the configuration file. */
export const VTN_ENV_VARIABLES = {
  OADR_VTN_ID: '/vtnID',
  OADR_VTN_LISTEN_HOST: '/listen/host',
  OADR_VTN_LISTEN_PORT: '/listen/port',
  OADR_VTN_ADMIN_HOST: '/admin/host',
  OADR_VTN_ADMIN_PORT: '/admin/port',
  OADR_VTN_ADMIN_TOKEN: '/admin/token',
  OADR_VTN_STORAGE_PATH: '/storage',
  OADR_VTN_STORAGE_URL: '/storage',
  OADR_VTN_LOG_LEVEL: '/logLevel',
} as const;

export type VtnEnvVariable = keyof typeof VTN_ENV_VARIABLES;

/** Where each overridden field came from, so a validation error can name the variable. */
type EnvSources = ReadonlyMap<string, VtnEnvVariable>;

const portOf = (text: string): string | number => (/^\d+$/.test(text) ? Number(text) : text);

/**
 * Lays the `OADR_VTN_*` variables of `env` over `input`. Empty variables count as unset (a compose
 * file's `VAR=` must not become an empty token). Values are not checked here: the schema checks them
 * with the rest, and a port that is not digits stays a string so it is refused naming its variable.
 * A relative OADR_VTN_STORAGE_PATH is taken from the working directory, where the operator typed it.
 */
function applyVtnEnv(input: VtnConfigInput, env: Readonly<Record<string, string | undefined>>): { input: VtnConfigInput; sources: EnvSources } {
  const value = (name: VtnEnvVariable): string | undefined => (env[name] === '' ? undefined : env[name]);
  const sources = new Map<string, VtnEnvVariable>();
  const out = structuredClone(input);
  const set = (name: VtnEnvVariable, apply: (text: string) => void): void => {
    const text = value(name);
    if (text === undefined) return;
    apply(text);
    sources.set(VTN_ENV_VARIABLES[name], name);
  };
  set('OADR_VTN_ID', (text) => (out.vtnID = text));
  set('OADR_VTN_LISTEN_HOST', (text) => (out.listen = { ...out.listen, host: text }));
  set('OADR_VTN_LISTEN_PORT', (text) => (out.listen = { ...out.listen, port: portOf(text) as number }));
  set('OADR_VTN_ADMIN_HOST', (text) => (out.admin = { ...out.admin, host: text }));
  set('OADR_VTN_ADMIN_PORT', (text) => (out.admin = { ...out.admin, port: portOf(text) as number }));
  set('OADR_VTN_ADMIN_TOKEN', (text) => (out.admin = { ...out.admin, token: text }));
  set('OADR_VTN_LOG_LEVEL', (text) => (out.logLevel = text as LogLevel));
  const path = value('OADR_VTN_STORAGE_PATH');
  const url = value('OADR_VTN_STORAGE_URL');
  if (path !== undefined && url !== undefined) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, 'invalid VTN configuration: set OADR_VTN_STORAGE_PATH (SQLite) or OADR_VTN_STORAGE_URL (PostgreSQL), not both', {
      details: ['OADR_VTN_STORAGE_PATH', 'OADR_VTN_STORAGE_URL'],
    });
  }
  set('OADR_VTN_STORAGE_PATH', (text) => (out.storage = { type: 'sqlite', path: text === ':memory:' || isAbsolute(text) ? text : resolve(text) }));
  // The file's schema and pool size still apply when it configured PostgreSQL already.
  set('OADR_VTN_STORAGE_URL', (text) => (out.storage = out.storage?.type === 'postgres' ? { ...out.storage, connectionString: text } : { type: 'postgres', connectionString: text }));
  return { input: out, sources };
}

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator === undefined) {
    const schema = JSON.parse(readFileSync(join(VTN_SCHEMA_DIR, 'config.schema.json'), 'utf8')) as object;
    validator = new Ajv2020({ allErrors: true, useDefaults: true, strict: true }).compile(schema);
  }
  return validator;
}

/** The variable a field at `instancePath` (or a field inside it) came from. */
function sourceOf(instancePath: string, sources: EnvSources): VtnEnvVariable | undefined {
  for (const [path, name] of sources) if (instancePath === path || instancePath.startsWith(`${path}/`)) return name;
  return undefined;
}

/**
 * ajv errors as `path: message` lines, the form every 4xx of the VTN carries in `details`; a field set
 * by an environment variable is named `path (from VARIABLE)`.
 */
export function formatAjvErrors(errors: readonly ErrorObject[] | null | undefined, root = '', sources: EnvSources = new Map()): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    const variable = sourceOf(e.instancePath, sources);
    const from = variable === undefined ? '' : ` (from ${variable})`;
    return `${root}${e.instancePath || '/'}${from}: ${e.message ?? 'is invalid'}${extra}`;
  });
}

/**
 * Validates a configuration, fills in the defaults and freezes the result. Relative file paths are
 * resolved against `baseDir` (the configuration file's directory). With `env`, its `OADR_VTN_*`
 * variables override the input first (the CLI passes process.env; embedding code does not, so a
 * library caller's configuration is never changed behind its back). Throws
 * OADR_ERR_VTN_CONFIG_INVALID listing every field at fault.
 */
export function resolveVtnConfig(input: VtnConfigInput = {}, baseDir = process.cwd(), env?: Readonly<Record<string, string | undefined>>): Readonly<VtnConfig> {
  const { input: overridden, sources } = env === undefined ? { input, sources: new Map<string, VtnEnvVariable>() } : applyVtnEnv(input, env);
  const copy = structuredClone(overridden) as Record<string, unknown>;
  const validate = compile();
  if (!validate(copy)) {
    const details = formatAjvErrors(validate.errors, 'config', sources);
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `invalid VTN configuration: ${details.join('; ')}`, { details });
  }
  const config = copy as unknown as VtnConfig;
  const duplicate = duplicateReportIds(config.reports) ?? duplicateRequestNames(config.requestOnRegistration);
  if (duplicate !== undefined) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `invalid VTN configuration: ${duplicate.path}: ${duplicate.id} is used twice`, { details: [`${duplicate.path}: is used twice`] });
  }
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

/** Specifier IDs and rIDs name things on the wire, so each must be unique (a schema cannot say so across items). */
function duplicateReportIds(reports: readonly OfferedReport[]): { path: string; id: string } | undefined {
  const specifiers = new Set<string>();
  const rIDs = new Set<string>();
  for (const [i, report] of reports.entries()) {
    if (specifiers.has(report.reportSpecifierID)) return { path: `config/reports/${i}/reportSpecifierID`, id: report.reportSpecifierID };
    specifiers.add(report.reportSpecifierID);
    for (const [j, point] of report.points.entries()) {
      if (rIDs.has(point.rID)) return { path: `config/reports/${i}/points/${j}/rID`, id: point.rID };
      rIDs.add(point.rID);
    }
  }
  return undefined;
}

/** Two requests for one report on its registration would ask the VEN for the same data twice. */
function duplicateRequestNames(requests: readonly ReportOnRegistration[]): { path: string; id: string } | undefined {
  const names = new Set<string>();
  for (const [i, request] of requests.entries()) {
    if (names.has(request.reportName)) return { path: `config/requestOnRegistration/${i}/reportName`, id: request.reportName };
    names.add(request.reportName);
  }
  return undefined;
}

/** Reads and resolves a JSON configuration file, with `env` as in resolveVtnConfig. */
export function loadVtnConfig(file: string, env?: Readonly<Record<string, string | undefined>>): Readonly<VtnConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `cannot read configuration ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VtnError(VtnErrorCode.CONFIG_INVALID, `configuration ${file} must hold a JSON object`);
  }
  return resolveVtnConfig(parsed as VtnConfigInput, dirname(resolve(file)), env);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
