import { AdmmEngine, AggregatorError, GridConnection, NetworkBuilder, TargetFollower, type Device, type Horizon } from '@oadr-kit/aggregator';
import type { VenEvent, VenSignal } from './EventEngine.js';
import { VenError, VenErrorCode } from './VenError.js';

export interface DeviceScheduleOptions {
  /** The price the devices face without a price signal, currency/kWh (default 0.25): SIMPLE levels add to it. */
  readonly basePrice?: number;
  /** SIMPLE level to the price added on top of `basePrice`, currency/kWh (default 0: 0, 1: 0.1, 2: 0.3, 3: 1). */
  readonly simpleLevelPrices?: Readonly<Record<number, number>>;
  /** What exporting earns, as a share of the price (default 1: the devices trade at the signal's price both ways). */
  readonly exportShare?: number;
  /** How hard LOAD_DISPATCH setpoints are tracked, currency per kW² per hour (default 10). */
  readonly trackingWeight?: number;
  /** Relative tolerance of the optimisation (default 1e-6). */
  readonly tolerance?: number;
}

/** Device setpoints for an event: one value per slot per device (kW, consumption positive). */
export interface DeviceSchedule {
  readonly eventID: string;
  /** The signal that drove it. */
  readonly basis: 'LOAD_DISPATCH' | 'ELECTRICITY_PRICE' | 'SIMPLE';
  readonly startMs: number;
  readonly slotMs: number;
  readonly devices: ReadonlyMap<string, readonly number[]>;
  /** The sum of the devices, per slot. */
  readonly totalKw: readonly number[];
}

const DEFAULT_LEVEL_PRICES: Readonly<Record<number, number>> = { 0: 0, 1: 0.1, 2: 0.3, 3: 1 };
const MAX_SLOTS = 10_000;
const SITE = 'site';
const CONNECTION_ID = '\u0000connection';

function impossible(event: VenEvent, problem: string, cause?: unknown): VenError {
  return new VenError(VenErrorCode.SCHEDULE_IMPOSSIBLE, `event ${event.eventID}: ${problem}`, cause === undefined ? {} : { cause });
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The signal's value in each slot of `slotMs` from its first interval's start (intervals must tile the event). */
function perSlot(event: VenEvent, signal: VenSignal): { startMs: number; slotMs: number; values: number[] } {
  const first = signal.intervals[0];
  if (first === undefined) throw impossible(event, `signal ${signal.signalID} has no intervals`);
  const durations = signal.intervals.map((interval) => {
    if (interval.durationMs === undefined || interval.durationMs <= 0) throw impossible(event, 'an open-ended interval has no schedule (it runs until cancelled)');
    return interval.durationMs;
  });
  const slotMs = durations.reduce((a, b) => gcd(a, b));
  const total = durations.reduce((a, b) => a + b, 0);
  if (total / slotMs > MAX_SLOTS) throw impossible(event, `intervals need ${total / slotMs} slots of ${slotMs} ms, more than ${MAX_SLOTS}`);
  const values = signal.intervals.flatMap((interval, i) => new Array<number>(durations[i]! / slotMs).fill(interval.value));
  return { startMs: first.startMs, slotMs, values };
}

/** kW of a LOAD_DISPATCH setpoint, whose itemBase may state W or kW. */
function kilowatts(signal: VenSignal, value: number): number {
  const power = signal.itemBase?.powerReal;
  if (power === undefined) return value;
  const scale = power.siScaleCode === 'k' ? 1 : power.siScaleCode === 'M' ? 1000 : power.siScaleCode === 'none' ? 1e-3 : 1;
  return value * scale;
}

/**
 * Turns a 2.0b event into device setpoints with the aggregator's device models: a LOAD_DISPATCH
 * setpoint is tracked, an ELECTRICITY_PRICE (price, priceRelative, priceMultiplier) is optimised
 * against, SIMPLE levels become prices through a mapping. The devices are built for the event's
 * horizon by `devices` (state such as a battery's charge comes from the application). Negotiation
 * events are answered by the `negotiation` option instead (a VenModel's respond).
 */
export function deviceSchedule(event: VenEvent, devices: (horizon: Horizon) => readonly Device[], options: DeviceScheduleOptions = {}): DeviceSchedule {
  const find = (name: string) => event.signals.find((s) => s.signalName === name);
  const dispatch = find('LOAD_DISPATCH');
  const price = find('ELECTRICITY_PRICE');
  const simple = find('SIMPLE') ?? find('simple');
  const signal = dispatch ?? price ?? simple;
  if (signal === undefined) throw impossible(event, 'it has no LOAD_DISPATCH, ELECTRICITY_PRICE or SIMPLE signal to act on');
  const basis = signal === dispatch ? 'LOAD_DISPATCH' : signal === price ? 'ELECTRICITY_PRICE' : 'SIMPLE';
  if (basis === 'LOAD_DISPATCH' && signal.signalType !== 'setpoint') throw impossible(event, `LOAD_DISPATCH of type ${signal.signalType} is not supported (setpoint is)`);
  const { startMs, slotMs, values } = perSlot(event, signal);
  const basePrice = options.basePrice ?? 0.25;
  const levels = options.simpleLevelPrices ?? DEFAULT_LEVEL_PRICES;
  const priceOf = (value: number): number => {
    if (basis === 'SIMPLE') {
      const adder = levels[value];
      if (adder === undefined) throw impossible(event, `SIMPLE level ${value} has no price in simpleLevelPrices`);
      return basePrice + adder;
    }
    if (signal.signalType === 'priceRelative') return basePrice + value;
    if (signal.signalType === 'priceMultiplier') return basePrice * value;
    return value;
  };
  const horizon: Horizon = { slots: values.length, slotHours: slotMs / 3_600_000 };
  const built = devices(horizon);
  if (built.length === 0) throw impossible(event, 'no devices to schedule');
  for (const device of built) {
    if (device.terminalCount !== 1 || device.horizon.slots !== horizon.slots || device.horizon.slotHours !== horizon.slotHours) {
      throw impossible(event, `device ${device.id} must have one terminal and the event's horizon (${horizon.slots} slots of ${slotMs / 60_000} min)`);
    }
  }
  try {
    const builder = new NetworkBuilder(horizon).addNet(SITE);
    for (const device of built) builder.addDevice(device, [SITE]);
    if (basis === 'LOAD_DISPATCH') {
      // The follower injects what the devices draw: tracking -setpoint makes them draw the setpoint.
      builder.addDevice(new TargetFollower(CONNECTION_ID, { targetKw: values.map((v) => -kilowatts(signal, v)), weight: options.trackingWeight ?? 10 }, horizon), [SITE]);
    } else {
      const importPrice = values.map(priceOf);
      const exportPrice = importPrice.map((p) => p * (options.exportShare ?? 1));
      builder.addDevice(new GridConnection(CONNECTION_ID, { importPrice, exportPrice, importLimitKw: 1e6, exportLimitKw: 1e6 }, horizon), [SITE]);
    }
    const engine = new AdmmEngine(builder.build());
    engine.run({ tolerance: options.tolerance ?? 1e-6, maxIterations: 50_000 });
    const schedules = new Map<string, number[]>();
    const totalKw = new Array<number>(horizon.slots).fill(0);
    for (const device of built) {
      const repaired = new Float64Array(horizon.slots);
      device.repair(engine.profile(device.id), repaired);
      schedules.set(device.id, Array.from(repaired));
      repaired.forEach((kw, t) => (totalKw[t]! += kw));
    }
    return { eventID: event.eventID, basis, startMs, slotMs, devices: schedules, totalKw };
  } catch (error) {
    if (error instanceof AggregatorError) throw impossible(event, error.message, error);
    throw error;
  }
}
