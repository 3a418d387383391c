import { NEGOTIATION_PENALTY_SIGNAL, NEGOTIATION_REPORT_NAME, type ItemBase, type NegotiationRound, type OptType, type ReportDescription, type ResourceStatus } from '@oadr-kit/protocol';
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from './Clock.js';
import { STANDARD_SIGNALS, type VenEvent, type VenTargets } from './EventEngine.js';
import { isLogger, silentLogger, type Logger } from './Logger.js';
import { specifierIdOf } from './reports.js';
import { FileStateStore, MemoryStateStore, type VenStateStore } from './StateStore.js';
import { VenError, VenErrorCode } from './VenError.js';

/** Client certificate, key and trust anchors: as file paths (read at start) or as PEM text. */
export interface VenTlsOptions {
  /** The VEN's certificate chain (leaf first). */
  readonly certFile?: string;
  readonly certPem?: string;
  readonly keyFile?: string;
  readonly keyPem?: string;
  /** CA certificates the VTN's certificate must chain to. */
  readonly caFile?: string;
  readonly caPem?: string;
  /** Default true; false only where certificates do not carry host names (as the 2.0b test harness does). */
  readonly checkServerHostname?: boolean;
}

/** Push mode: the VTN calls this VEN on a small HTTPS listener instead of being polled. */
export interface VenPushOptions {
  /** Port to listen on; 0 picks a free one (see `VenClient.pushAddress`). */
  readonly port: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /**
   * The root URL the VTN reaches this VEN at (oadrTransportAddress), e.g. `https://ven-17.example.com:8443`.
   * Undefined: `https://<host>:<bound port>`.
   */
  readonly transportAddress?: string;
  /**
   * Common names of the certificates the VTN may push with, besides the subjects it presented on the
   * VEN's connections: for a VTN that pushes with another certificate than it serves (behind a
   * TLS-terminating proxy, say). Every other party is answered 403 without a payload.
   */
  readonly vtnCommonNames?: readonly string[];
}

/** Optional XML signatures: `PayloadSigner` and `PayloadVerifier` of `@oadr-kit/security` fit as they are. */
export interface VenXmlSignature {
  /** Adds a ds:Signature to an oadrPayload document whose oadrSignedObject carries an oadr:Id. */
  sign(payloadXml: string): string;
  /** Throws when the document's signature is missing or does not verify. */
  verify(payloadXml: string): unknown;
}

/** A data point the VEN can report; data points of one report specifier form one report. */
export interface ReportCapability {
  /** Unique within the VEN. */
  readonly rID: string;
  readonly reportName: 'TELEMETRY_STATUS' | 'TELEMETRY_USAGE' | 'HISTORY_USAGE' | `x-${string}`;
  /**
   * The report specifier the point is registered and requested under (default: `reportName`); two
   * reports of one name, such as measured and projected usage, need two specifiers.
   */
  readonly reportSpecifierID?: string;
  readonly reportType: ReportDescription['reportType'];
  readonly readingType: ReportDescription['readingType'];
  readonly itemBase?: ItemBase;
  /** Shortest sampling period the VEN supports. */
  readonly minPeriodMs: number;
  /** Longest sampling period the VEN supports. */
  readonly maxPeriodMs: number;
  readonly onChange: boolean;
  /** The device this point belongs to (reportDataSource/resourceID). */
  readonly resourceID?: string;
}

/** What a report handler is asked for: the current value of some data points. */
export interface ReportReadRequest {
  readonly reportRequestID: string;
  readonly reportSpecifierID: string;
  readonly rIDs: readonly string[];
  /** The instant of the sample. */
  readonly atMs: number;
}

/** One data point's value: a number, or a resource status for x-resourceStatus points. */
export type ReportReading = { readonly rID: string; readonly value: number } | { readonly rID: string; readonly status: ResourceStatus };

/** Decisions the application makes; each is awaited at most `handlerTimeoutMs`. */
export interface VenHandlers {
  /**
   * Opt in or out of a new or modified event. Default: opt in. A schedule translator (device models
   * turning an event into a device schedule) plugs in here, and listens to `eventStarted`/`eventEnded`.
   */
  decideOpt?(event: VenEvent): Promise<OptType>;
  /**
   * Values of data points at `atMs`: now for telemetry, a past instant for a request over a past
   * interval (HISTORY_USAGE); default: none (the report carries no intervals).
   */
  readReport?(request: ReportReadRequest): Promise<readonly ReportReading[]>;
}

/**
 * Taking part in the VTN's negotiation of a schedule (DESIGN.md, "The negotiation over OpenADR"):
 * each round brings prices, a target profile and a penalty; the VEN answers with its projection.
 */
export interface VenNegotiationHandlers {
  /** The VEN's projected net consumption per slot, kW (consumption positive), answering one round. */
  respond(round: NegotiationRound): Promise<ArrayLike<number>> | ArrayLike<number>;
  /** The agreed schedule of a session: execute round.targetKw. */
  agreed?(round: NegotiationRound): Promise<void> | void;
}

export interface BackoffOptions {
  /** First retry delay after a failure. */
  readonly initialMs: number;
  /** Ceiling of the delay. */
  readonly maxMs: number;
  readonly multiplier: number;
  /** Fraction of the delay drawn at random (0: none, 0.5: between 50% and 100% of it). */
  readonly jitter: number;
}

export interface VenClientOptions {
  /** Root URL of the VTN, e.g. `https://vtn.example.com:8443`; the 2.0b service paths are appended. */
  readonly vtnUrl: string;
  /** oadrVenName sent at registration. */
  readonly venName: string;
  /** A venID provisioned out of band; default: the one the VTN assigns. */
  readonly venId?: string;
  /** The vtnID to expect; default: the one learnt at first registration, which is then kept (and persisted). */
  readonly vtnId?: string;
  /** Mutual TLS; required for https URLs. */
  readonly tls?: VenTlsOptions;
  /** Poll interval (default 10 s); the VTN's oadrRequestedOadrPollFreq wins when it is longer. */
  readonly pollIntervalMs?: number;
  /** Per request to the VTN (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** How long a handler may take (default 5 s). */
  readonly handlerTimeoutMs?: number;
  /** The answer when `decideOpt` fails or times out (default optOut: never commit a device blindly). */
  readonly defaultOpt?: OptType;
  readonly backoff?: Partial<BackoffOptions>;
  /** Largest payload accepted from the VTN (default 1 MiB). */
  readonly maxPayloadBytes?: number;
  /** Clock difference with the VTN that is tolerated silently (default 5 min); more is reported. */
  readonly maxClockSkewMs?: number;
  /** Signal names the VEN executes (default: the 2.0b names); others are answered 460. */
  readonly supportedSignals?: readonly string[];
  /**
   * What identifies this VEN besides its venID (resourceID, groupID, partyID, endDeviceAsset, ...):
   * events whose eiTarget names none of it are answered 462. Criteria left out cannot rule an event out.
   */
  readonly targets?: VenTargets;
  /** Data points registered with the VTN at start-up (default: DEFAULT_REPORT_CAPABILITIES). */
  readonly reports?: readonly ReportCapability[];
  /** Where the state file lives; default: state in memory only. */
  readonly storagePath?: string;
  /** A store of your own; wins over `storagePath`. */
  readonly store?: VenStateStore;
  /** Push mode; default: pull (the VEN polls). */
  readonly push?: VenPushOptions;
  /** XML signatures on every payload in both directions; default: none (TLS only). */
  readonly xmlSignature?: VenXmlSignature;
  readonly handlers?: VenHandlers;
  /**
   * Take part in negotiations: registers the projection report (NEGOTIATION_REPORT_CAPABILITY) and
   * accepts the x-ADMM_PENALTY signal; default: negotiation events are answered 460.
   */
  readonly negotiation?: VenNegotiationHandlers;
  readonly clock?: Clock;
  /** Uniform in [0, 1): event start randomization and backoff jitter (default Math.random). */
  readonly random?: () => number;
  readonly logger?: Logger;
  /** An undici Dispatcher of your own (a proxy agent, a MockAgent); default: one built from `tls`. */
  readonly dispatcher?: Dispatcher;
}

/** The built-in data points: an on/off status and the real power of the device. */
const STATUS_POINT: ReportCapability = {
    rID: 'status',
    reportName: 'TELEMETRY_STATUS',
    reportType: 'x-resourceStatus',
    readingType: 'x-notApplicable',
    minPeriodMs: 60_000,
    maxPeriodMs: 3_600_000,
    onChange: false,
};
const POWER_POINT: ReportCapability = {
    rID: 'power',
    reportName: 'TELEMETRY_USAGE',
    reportType: 'usage',
    readingType: 'Direct Read',
    itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'none', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
    minPeriodMs: 60_000,
    maxPeriodMs: 3_600_000,
    onChange: false,
};
export const DEFAULT_REPORT_CAPABILITIES: readonly ReportCapability[] = Object.freeze([Object.freeze(STATUS_POINT), Object.freeze(POWER_POINT)]);

/** The data point a negotiating VEN adds: its projected usage per slot, in kW, requested once per session. */
const PROJECTION_POINT: ReportCapability = {
  rID: 'projection',
  reportName: 'TELEMETRY_USAGE',
  reportSpecifierID: NEGOTIATION_REPORT_NAME,
  reportType: 'usage',
  readingType: 'Projected',
  itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
  minPeriodMs: 60_000,
  maxPeriodMs: 86_400_000,
  onChange: false,
};
export const NEGOTIATION_REPORT_CAPABILITY: ReportCapability = Object.freeze(PROJECTION_POINT);
// The signals of a round besides the penalty: a VEN that refuses them cannot negotiate.
const NEGOTIATION_SIGNALS = ['ELECTRICITY_PRICE', 'LOAD_DISPATCH'];

/** Every default in one place. */
export const DEFAULT_VEN_OPTIONS = Object.freeze({
  pollIntervalMs: 10_000,
  requestTimeoutMs: 10_000,
  handlerTimeoutMs: 5_000,
  defaultOpt: 'optOut' as OptType,
  backoff: Object.freeze({ initialMs: 1_000, maxMs: 300_000, multiplier: 2, jitter: 0.5 }) as BackoffOptions,
  maxPayloadBytes: 1024 * 1024,
  maxClockSkewMs: 300_000,
  supportedSignals: STANDARD_SIGNALS,
  reports: DEFAULT_REPORT_CAPABILITIES,
});

/** The options with every default filled in, as the client uses them. */
export interface ResolvedVenOptions {
  readonly vtnUrl: URL;
  readonly venName: string;
  readonly venId: string | undefined;
  readonly vtnId: string | undefined;
  readonly tls: VenTlsOptions | undefined;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly handlerTimeoutMs: number;
  readonly defaultOpt: OptType;
  readonly backoff: BackoffOptions;
  readonly maxPayloadBytes: number;
  readonly maxClockSkewMs: number;
  readonly supportedSignals: ReadonlySet<string>;
  readonly targets: VenTargets;
  readonly reports: readonly ReportCapability[];
  readonly store: VenStateStore;
  readonly push: VenPushOptions | undefined;
  readonly xmlSignature: VenXmlSignature | undefined;
  readonly handlers: VenHandlers;
  readonly negotiation: VenNegotiationHandlers | undefined;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly dispatcher: Dispatcher | undefined;
}

const KNOWN_OPTIONS = new Set([
  'vtnUrl', 'venName', 'venId', 'vtnId', 'tls', 'pollIntervalMs', 'requestTimeoutMs', 'handlerTimeoutMs', 'defaultOpt', 'backoff',
  'maxPayloadBytes', 'maxClockSkewMs', 'supportedSignals', 'targets', 'reports', 'storagePath', 'store', 'push', 'xmlSignature', 'handlers',
  'negotiation', 'clock', 'random', 'logger', 'dispatcher',
]);

// Names users reach for that mean something else here.
const RENAMED: Record<string, string> = { pollInterval: 'pollIntervalMs', timeout: 'requestTimeoutMs', url: 'vtnUrl', venID: 'venId', vtnID: 'vtnId', storage: 'storagePath' };

function invalid(field: string, message: string): VenError {
  return new VenError(VenErrorCode.OPTIONS_INVALID, `options.${field} ${message}`, { field });
}

function positiveInteger(value: unknown, field: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(field, `must be an integer of at least ${min}, got ${String(value)}`);
  return value;
}

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'must be a non-empty string');
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : nonEmptyString(value, field);
}

/** Validates the options (naming the bad field) and fills in the defaults. */
export function resolveVenOptions(options: VenClientOptions): ResolvedVenOptions {
  if (typeof options !== 'object' || options === null) throw new VenError(VenErrorCode.OPTIONS_INVALID, 'options must be an object');
  for (const key of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(key)) continue;
    const hint = RENAMED[key];
    throw invalid(key, hint === undefined ? 'is not an option of VenClient' : `is not an option of VenClient; use ${hint}`);
  }
  let vtnUrl: URL;
  try {
    vtnUrl = new URL(nonEmptyString(options.vtnUrl, 'vtnUrl'));
  } catch (error) {
    if (error instanceof VenError) throw error;
    throw invalid('vtnUrl', `is not a URL: ${String(options.vtnUrl)}`);
  }
  if (vtnUrl.protocol !== 'https:' && vtnUrl.protocol !== 'http:') throw invalid('vtnUrl', 'must be an https (or, for development, http) URL');
  const tls = options.tls;
  if (tls !== undefined) {
    for (const [file, pem] of [['certFile', 'certPem'], ['keyFile', 'keyPem'], ['caFile', 'caPem']] as const) {
      if (tls[file] === undefined && tls[pem] === undefined) throw invalid(`tls.${file}`, `or tls.${pem} is required`);
      if (tls[file] !== undefined) nonEmptyString(tls[file], `tls.${file}`);
      if (tls[pem] !== undefined) nonEmptyString(tls[pem], `tls.${pem}`);
    }
  }
  if (vtnUrl.protocol === 'https:' && tls === undefined && options.dispatcher === undefined) {
    throw invalid('tls', 'is required for an https vtnUrl: 2.0b uses mutual TLS');
  }
  const backoff = { ...DEFAULT_VEN_OPTIONS.backoff, ...(options.backoff ?? {}) };
  positiveInteger(backoff.initialMs, 'backoff.initialMs', 0);
  positiveInteger(backoff.maxMs, 'backoff.maxMs', 0, backoff.initialMs);
  if (typeof backoff.multiplier !== 'number' || !(backoff.multiplier >= 1)) throw invalid('backoff.multiplier', 'must be a number of at least 1');
  if (typeof backoff.jitter !== 'number' || !(backoff.jitter >= 0 && backoff.jitter <= 1)) throw invalid('backoff.jitter', 'must be between 0 and 1');
  const defaultOpt = options.defaultOpt ?? DEFAULT_VEN_OPTIONS.defaultOpt;
  if (defaultOpt !== 'optIn' && defaultOpt !== 'optOut') throw invalid('defaultOpt', `must be optIn or optOut, got ${String(defaultOpt)}`);
  const supportedSignals = options.supportedSignals ?? DEFAULT_VEN_OPTIONS.supportedSignals;
  if (!Array.isArray(supportedSignals) || supportedSignals.some((name) => typeof name !== 'string')) throw invalid('supportedSignals', 'must be an array of signal names');
  const targets = options.targets ?? {};
  if (typeof targets !== 'object' || targets === null) throw invalid('targets', 'must be an object of string lists');
  for (const [key, values] of Object.entries(targets)) {
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) throw invalid(`targets.${key}`, 'must be an array of strings');
  }
  const reports = options.reports ?? DEFAULT_VEN_OPTIONS.reports;
  validateReports(reports);
  const negotiation = options.negotiation;
  if (negotiation !== undefined) validateNegotiation(negotiation, supportedSignals, reports);
  const push = options.push;
  if (push !== undefined) {
    if (push.port === undefined) throw invalid('push.port', 'is required (0 picks a free port)');
    positiveInteger(push.port, 'push.port', 0, 0);
    if (tls === undefined) throw invalid('tls', 'is required in push mode: the listener uses the VEN certificate');
    if (push.transportAddress !== undefined) {
      try {
        new URL(push.transportAddress);
      } catch {
        throw invalid('push.transportAddress', `is not a URL: ${push.transportAddress}`);
      }
    }
    if (push.vtnCommonNames !== undefined && (!Array.isArray(push.vtnCommonNames) || push.vtnCommonNames.some((name) => typeof name !== 'string' || name === ''))) {
      throw invalid('push.vtnCommonNames', 'must be a list of non-empty strings');
    }
  }
  if (options.xmlSignature !== undefined && (typeof options.xmlSignature.sign !== 'function' || typeof options.xmlSignature.verify !== 'function')) {
    throw invalid('xmlSignature', 'must have sign(xml) and verify(xml) methods');
  }
  for (const name of ['decideOpt', 'readReport'] as const) {
    const handler = options.handlers?.[name];
    if (handler !== undefined && typeof handler !== 'function') throw invalid(`handlers.${name}`, 'must be an async function');
  }
  if (options.logger !== undefined && !isLogger(options.logger)) throw invalid('logger', 'must have debug, info, warn and error methods');
  if (options.random !== undefined && typeof options.random !== 'function') throw invalid('random', 'must be a function returning [0, 1)');
  const storagePath = optionalString(options.storagePath, 'storagePath');
  return Object.freeze({
    vtnUrl,
    venName: nonEmptyString(options.venName, 'venName'),
    venId: optionalString(options.venId, 'venId'),
    vtnId: optionalString(options.vtnId, 'vtnId'),
    tls,
    pollIntervalMs: positiveInteger(options.pollIntervalMs, 'pollIntervalMs', DEFAULT_VEN_OPTIONS.pollIntervalMs),
    requestTimeoutMs: positiveInteger(options.requestTimeoutMs, 'requestTimeoutMs', DEFAULT_VEN_OPTIONS.requestTimeoutMs),
    handlerTimeoutMs: positiveInteger(options.handlerTimeoutMs, 'handlerTimeoutMs', DEFAULT_VEN_OPTIONS.handlerTimeoutMs),
    defaultOpt,
    backoff: Object.freeze(backoff),
    maxPayloadBytes: positiveInteger(options.maxPayloadBytes, 'maxPayloadBytes', DEFAULT_VEN_OPTIONS.maxPayloadBytes, 1024),
    maxClockSkewMs: positiveInteger(options.maxClockSkewMs, 'maxClockSkewMs', DEFAULT_VEN_OPTIONS.maxClockSkewMs, 0),
    supportedSignals: new Set(negotiation === undefined ? supportedSignals : [...supportedSignals, NEGOTIATION_PENALTY_SIGNAL]),
    targets,
    reports: negotiation === undefined ? reports : [...reports, NEGOTIATION_REPORT_CAPABILITY],
    store: options.store ?? (storagePath === undefined ? new MemoryStateStore() : new FileStateStore(storagePath)),
    push,
    xmlSignature: options.xmlSignature,
    handlers: options.handlers ?? {},
    negotiation,
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
    dispatcher: options.dispatcher,
  });
}

function validateReports(reports: readonly ReportCapability[]): void {
  if (!Array.isArray(reports)) throw invalid('reports', 'must be an array of report capabilities');
  const rIDs = new Set<string>();
  reports.forEach((report, index) => {
    const field = `reports[${index}]`;
    nonEmptyString(report.rID, `${field}.rID`);
    if (rIDs.has(report.rID)) throw invalid(`${field}.rID`, `repeats rID ${report.rID}`);
    rIDs.add(report.rID);
    positiveInteger(report.minPeriodMs, `${field}.minPeriodMs`, 0);
    positiveInteger(report.maxPeriodMs, `${field}.maxPeriodMs`, 0, report.minPeriodMs);
    if (report.reportSpecifierID !== undefined) nonEmptyString(report.reportSpecifierID, `${field}.reportSpecifierID`);
    // One specifier is one metadata report, which has one name.
    const sibling = reports.find((other) => specifierIdOf(other) === specifierIdOf(report));
    if (sibling !== undefined && sibling.reportName !== report.reportName) {
      throw invalid(`${field}.reportName`, `is ${report.reportName}, but specifier ${specifierIdOf(report)} already has ${sibling.reportName}`);
    }
  });
  const names = new Set(reports.map((report) => report.reportName));
  // A VEN that registers reports must register both telemetry reports (CHECKLIST §4.1).
  if (reports.length > 0 && !(names.has('TELEMETRY_STATUS') && names.has('TELEMETRY_USAGE'))) {
    throw invalid('reports', 'must include TELEMETRY_STATUS and TELEMETRY_USAGE data points when it is not empty');
  }
}

function validateNegotiation(negotiation: VenNegotiationHandlers, supportedSignals: readonly string[], reports: readonly ReportCapability[]): void {
  if (typeof negotiation !== 'object' || negotiation === null) throw invalid('negotiation', 'must be an object with a respond(round) method');
  if (typeof negotiation.respond !== 'function') throw invalid('negotiation.respond', 'must be a function returning the projected profile');
  if (negotiation.agreed !== undefined && typeof negotiation.agreed !== 'function') throw invalid('negotiation.agreed', 'must be a function');
  const missing = NEGOTIATION_SIGNALS.filter((name) => !supportedSignals.includes(name));
  if (missing.length > 0) throw invalid('supportedSignals', `must include ${missing.join(' and ')} to negotiate: every round carries them`);
  // The projection report is registered next to the VEN's telemetry, which 2.0b then requires (CHECKLIST §4.1).
  if (reports.length === 0) throw invalid('reports', 'must not be empty to negotiate: the projection report needs the telemetry reports beside it');
  reports.forEach((report, index) => {
    if (report.rID === NEGOTIATION_REPORT_CAPABILITY.rID) throw invalid(`reports[${index}].rID`, `is ${report.rID}, the data point of the negotiation`);
    if (specifierIdOf(report) === NEGOTIATION_REPORT_NAME) throw invalid(`reports[${index}].reportSpecifierID`, `is ${NEGOTIATION_REPORT_NAME}, the report of the negotiation`);
  });
}
