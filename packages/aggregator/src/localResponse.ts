import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { AdmmEngine } from './AdmmEngine.js';
import type { Device } from './Device.js';
import { FixedLoad } from './devices/FixedLoad.js';
import { LqDevice } from './devices/LqDevice.js';
import { TargetFollower } from './devices/TargetFollower.js';
import { NetworkBuilder } from './Network.js';

/** What a VEN receives each round (see AdmmEngine.incentive). */
export interface LocalIncentive {
  readonly rho: number;
  /** p - pbar of the VEN's terminal, kW per slot. */
  readonly setpoint: ArrayLike<number>;
  /** The net's price, EUR/kWh per slot (default 0: then setpoint is the prox target itself). */
  readonly price?: ArrayLike<number>;
}

export interface LocalResponseOptions {
  /** Relative tolerance of the local negotiation when several flexible devices share the terminal (default 1e-7). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
  /** Tolerance of a single flexible device's inner solver (default 1e-8). */
  readonly proxTolerance?: number;
}

const CONNECTION_ID = '\u0000connection';

/**
 * The VEN side of a negotiation round: the aggregate profile of the VEN's devices (all behind its
 * one terminal) minimising f(p) + price'p dt + (rho/2)||p - setpoint||^2, i.e. the prox of the
 * aggregate cost at v = setpoint - price dt / rho. Fixed loads are added as constants; one flexible
 * device is solved directly; several are negotiated locally against a quadratic "connection" device
 * until the local residuals meet the tolerance.
 */
export function localResponse(devices: readonly Device[], incentive: LocalIncentive, options: LocalResponseOptions = {}): Float64Array {
  const first = devices[0];
  if (first === undefined) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, 'localResponse needs at least one device');
  const horizon = first.horizon;
  const T = horizon.slots;
  const rho = incentive.rho;
  if (!(Number.isFinite(rho) && rho > 0)) throw new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `incentive rho must be positive (got ${rho})`, { field: 'rho' });
  if (incentive.setpoint.length !== T || (incentive.price !== undefined && incentive.price.length !== T)) {
    throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `incentive setpoint and price must have ${T} values`, { field: 'setpoint' });
  }
  const v = new Float64Array(T);
  for (let t = 0; t < T; t++) v[t] = incentive.setpoint[t]! - ((incentive.price?.[t] ?? 0) * horizon.slotHours) / rho;
  for (let t = 0; t < T; t++) {
    if (!Number.isFinite(v[t]!)) throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `incentive slot ${t} is not a finite number`, { field: `setpoint[${t}]` });
  }

  const constant = new Float64Array(T);
  const flexible: Device[] = [];
  for (const device of devices) {
    if (device.terminalCount !== 1) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" has ${device.terminalCount} terminals; behind a VEN terminal every device has one`, { deviceId: device.id });
    }
    if (device instanceof FixedLoad) for (let t = 0; t < T; t++) constant[t]! += device.power[t]!;
    else flexible.push(device);
  }
  const shifted = v.map((x, t) => x - constant[t]!);
  const out = new Float64Array(T);
  if (flexible.length === 1) {
    const only = flexible[0]!;
    if (only instanceof LqDevice) only.proxToTolerance(shifted, rho, out, options.proxTolerance ?? 1e-8);
    else only.prox(shifted, rho, out);
  } else if (flexible.length > 1) {
    const builder = new NetworkBuilder(horizon).addNet('local');
    for (const device of flexible) builder.addDevice(device, ['local']);
    // The connection injects the aggregate q = -p with cost (rho/2)||q + v||^2.
    const negated = shifted.map((x) => -x);
    builder.addDevice(new TargetFollower(CONNECTION_ID, { targetKw: negated, weight: rho / horizon.slotHours }, horizon), ['local']);
    const engine = new AdmmEngine(builder.build(), { rho });
    engine.run({ tolerance: options.tolerance ?? 1e-7, maxIterations: options.maxIterations ?? 20_000 });
    const connection = engine.profile(CONNECTION_ID);
    for (let t = 0; t < T; t++) out[t] = -connection[t]!;
  }
  for (let t = 0; t < T; t++) out[t]! += constant[t]!;
  return out;
}
