import { invalidParameter } from './AggregatorError.js';

/** A value per slot, or one value for every slot. */
export type Profile = number | readonly number[] | Float64Array;

/** The time grid every device of a network shares. */
export interface Horizon {
  /** Number of slots T. */
  readonly slots: number;
  /** Slot length in hours (0.25 for 15 minutes); turns kW into kWh and EUR/kWh into EUR/kW per slot. */
  readonly slotHours: number;
}

export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  /** Lower bound that the value must exceed strictly. */
  readonly above?: number;
  readonly integer?: boolean;
}

/**
 * Parameters arrive from JSON as often as from typed code, so every field is checked at run time and
 * reported with the device and field names.
 */
export function readNumber(deviceId: string, field: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidParameter(deviceId, field, `must be a finite number (got ${String(value)})`);
  checkRule(deviceId, field, value, rule);
  return value;
}

export function readOptionalNumber(deviceId: string, field: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  return value === undefined ? fallback : readNumber(deviceId, field, value, rule);
}

function checkRule(deviceId: string, field: string, value: number, rule: NumberRule): void {
  if (rule.integer === true && !Number.isInteger(value)) throw invalidParameter(deviceId, field, `must be an integer (got ${value})`);
  if (rule.min !== undefined && value < rule.min) throw invalidParameter(deviceId, field, `must be at least ${rule.min} (got ${value})`);
  if (rule.max !== undefined && value > rule.max) throw invalidParameter(deviceId, field, `must be at most ${rule.max} (got ${value})`);
  if (rule.above !== undefined && !(value > rule.above)) throw invalidParameter(deviceId, field, `must be greater than ${rule.above} (got ${value})`);
}

/** Expands a scalar or per-slot value into a fresh Float64Array of length `slots`. */
export function readProfile(deviceId: string, field: string, value: unknown, slots: number, rule: NumberRule = {}): Float64Array {
  const out = new Float64Array(slots);
  if (typeof value === 'number') {
    out.fill(readNumber(deviceId, field, value, rule));
    return out;
  }
  if (!(Array.isArray(value) || value instanceof Float64Array)) {
    throw invalidParameter(deviceId, field, `must be a number or an array of ${slots} numbers`);
  }
  const list = value as ArrayLike<unknown>;
  if (list.length !== slots) throw invalidParameter(deviceId, field, `must have ${slots} values, one per slot (got ${list.length})`);
  for (let t = 0; t < slots; t++) out[t] = readNumber(deviceId, `${field}[${t}]`, list[t], rule);
  return out;
}

export function readOptionalProfile(deviceId: string, field: string, value: unknown, slots: number, fallback: number, rule: NumberRule = {}): Float64Array {
  return value === undefined ? new Float64Array(slots).fill(fallback) : readProfile(deviceId, field, value, slots, rule);
}

export function requireObject(deviceId: string, params: unknown): Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalidParameter(deviceId, 'parameters', 'must be an object');
  return params as Record<string, unknown>;
}

/** Refuses fields the schema does not know, so a misspelt limit cannot be silently ignored. */
export function rejectUnknownFields(deviceId: string, params: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) throw invalidParameter(deviceId, key, 'is not a known parameter');
  }
}

export function readHorizon(horizon: Horizon): Horizon {
  const slots = readNumber('horizon', 'slots', horizon.slots, { min: 1, integer: true });
  const slotHours = readNumber('horizon', 'slotHours', horizon.slotHours, { above: 0 });
  return { slots, slotHours };
}
