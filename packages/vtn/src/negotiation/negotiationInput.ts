import { AggregatorError, GridConnection, Line, type GridModel } from '@oadr-kit/aggregator';
import { CURRENCY_CODES, parseDateTime } from '@oadr-kit/protocol';
import { VtnError, VtnErrorCode } from '../VtnError.js';

/** A negotiation session as an operator asks for it (admin API body NegotiationInput). */
export interface NegotiationInput {
  /** Default: a new UUID. Each VEN's event is `<sessionID>.<venID>`. */
  sessionID?: string;
  /** The program (or its market context) the session's events belong to. */
  programID?: string;
  marketContext?: string;
  /** Start of the first slot, ISO 8601 date-time. */
  start: string;
  slots: number;
  slotMinutes: number;
  /** ISO 4217 code of every price (default EUR). */
  currency?: string;
  /** The VENs negotiating; each must have registered the x-PROJECTED_USAGE report. */
  venIDs: string[];
  /** The VTN's side of the net: grid connection (import/export prices and limits) and an optional transformer. */
  grid: {
    importPrice: number | number[];
    exportPrice: number | number[];
    quadraticCost?: number;
    importLimitKw: number;
    exportLimitKw: number;
    transformerKw?: number;
  };
  /** Initial ADMM penalty (the engine adapts it; default the engine's). */
  rho?: number;
  /** Relative primal and dual residual to agree at (default 1e-3). */
  tolerance?: number;
  /** Give up after this many rounds (default 1000). */
  maxRounds?: number;
  /** How long a round waits for the VENs' projections, ms (default 10 000). */
  roundDeadlineMs?: number;
  /** A VEN silent this many rounds in a row has left: its last profile stands (default 3). */
  maxMissedRounds?: number;
}

/** The session with its defaults applied and its times read. */
export interface NegotiationSpec {
  readonly sessionID: string;
  readonly programID: string | undefined;
  readonly marketContext: string | undefined;
  readonly start: string;
  readonly startMs: number;
  readonly slots: number;
  readonly slotMinutes: number;
  readonly currency: (typeof CURRENCY_CODES)[number];
  readonly venIDs: readonly string[];
  readonly grid: NegotiationInput['grid'];
  readonly rho: number | undefined;
  readonly tolerance: number;
  readonly maxRounds: number;
  readonly roundDeadlineMs: number;
  readonly maxMissedRounds: number;
}

function bad(field: string, problem: string): VtnError {
  return new VtnError(VtnErrorCode.BAD_REQUEST, `${field} ${problem}`, { details: [`/${field}`] });
}

function positive(field: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0) || (integer && !Number.isInteger(value))) throw bad(field, `must be a positive ${integer ? 'whole ' : ''}number`);
  return value;
}

/** The grid model the aggregator builds the VTN's side of the net from. */
export function gridModelOf(spec: NegotiationSpec): GridModel {
  const { transformerKw, ...connection } = spec.grid;
  return { connection, ...(transformerKw === undefined ? {} : { transformerKw }) };
}

/**
 * Applies defaults and checks what a schema cannot: the horizon, unique VENs, the grid's prices
 * and limits (by building the aggregator's devices, whose errors name the field).
 */
export function readNegotiationInput(input: NegotiationInput, newID: () => string): NegotiationSpec {
  if (typeof input !== 'object' || input === null) throw bad('body', 'must be an object');
  let startMs: number;
  try {
    startMs = parseDateTime(input.start);
  } catch {
    throw bad('start', `"${String(input.start)}" is not an ISO 8601 date-time`);
  }
  const slots = positive('slots', input.slots, Number.NaN, true);
  const slotMinutes = positive('slotMinutes', input.slotMinutes, Number.NaN);
  if (!Number.isInteger(slotMinutes * 60)) throw bad('slotMinutes', 'must be a whole number of seconds');
  if (input.programID === undefined && input.marketContext === undefined) throw bad('programID', 'or marketContext is required');
  const currency = input.currency ?? 'EUR';
  if (!(CURRENCY_CODES as readonly string[]).includes(currency)) throw bad('currency', `"${currency}" is not an ISO 4217 code`);
  if (!Array.isArray(input.venIDs) || input.venIDs.length === 0) throw bad('venIDs', 'must name at least one VEN');
  const duplicate = input.venIDs.find((id, i) => input.venIDs.indexOf(id) !== i);
  if (duplicate !== undefined) throw bad('venIDs', `names ${duplicate} twice`);
  const spec: NegotiationSpec = {
    sessionID: input.sessionID ?? newID(),
    programID: input.programID,
    marketContext: input.marketContext,
    start: input.start,
    startMs,
    slots,
    slotMinutes,
    currency: currency as NegotiationSpec['currency'],
    venIDs: [...input.venIDs],
    grid: input.grid,
    rho: input.rho === undefined ? undefined : positive('rho', input.rho, 0),
    tolerance: positive('tolerance', input.tolerance, 1e-3),
    maxRounds: positive('maxRounds', input.maxRounds, 1000, true),
    roundDeadlineMs: positive('roundDeadlineMs', input.roundDeadlineMs, 10_000),
    maxMissedRounds: positive('maxMissedRounds', input.maxMissedRounds, 3, true),
  };
  const horizon = { slots, slotHours: slotMinutes / 60 };
  try {
    const model = gridModelOf(spec);
    new GridConnection('grid', model.connection, horizon);
    if (model.transformerKw !== undefined) new Line('transformer', { capacityKw: model.transformerKw }, horizon);
  } catch (error) {
    if (error instanceof AggregatorError) throw new VtnError(VtnErrorCode.BAD_REQUEST, `grid: ${error.message}`, { details: [`/grid/${error.field ?? ''}`], cause: error });
    throw error;
  }
  return spec;
}
