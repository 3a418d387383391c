import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { AdmmEngine } from './AdmmEngine.js';
import type { Device } from './Device.js';
import { FixedLoad } from './devices/FixedLoad.js';
import { TargetFollower } from './devices/TargetFollower.js';
import type { LocalIncentive } from './localResponse.js';
import { NetworkBuilder } from './Network.js';
import type { Horizon } from './parameters.js';

export interface VenModelOptions {
  /**
   * Warm-started prox passes per round for a single flexible device (default 3). The in-process
   * engine takes one pass per iteration; a VEN answering less often can afford a few.
   */
  readonly passes?: number;
  /**
   * Iterations per round of the local engine that negotiates several flexible devices against the
   * terminal (default 5). The local engine persists and keeps its rho, so like the devices' inner
   * solvers it converges along with the rounds instead of being solved afresh each time.
   */
  readonly localIterations?: number;
}

const CONNECTION_ID = '\u0000connection';

/**
 * The devices behind one VEN terminal, answering the rounds of a negotiation: the VEN side of
 * DESIGN.md's protocol. Unlike `localResponse` (one tight, stateless answer), it keeps every device's
 * warm start from round to round, exactly as the in-process engine keeps it between iterations, so an
 * answer costs a few inner passes rather than a solve from scratch. Several flexible devices are
 * negotiated against a quadratic connection device in a local engine that also persists and takes a
 * few iterations per round.
 */
export class VenModel {
  readonly horizon: Horizon;
  readonly devices: readonly Device[];
  readonly #options: Required<VenModelOptions>;
  readonly #constant: Float64Array;
  readonly #flexible: readonly Device[];
  readonly #last = new Map<string, Float64Array>();
  #local: { engine: AdmmEngine; connection: TargetFollower; rho: number } | undefined;

  constructor(devices: readonly Device[], options: VenModelOptions = {}) {
    const first = devices[0];
    if (first === undefined) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, 'a VEN model needs at least one device');
    this.horizon = first.horizon;
    this.devices = devices;
    this.#options = { passes: options.passes ?? 3, localIterations: options.localIterations ?? 5 };
    for (const field of ['passes', 'localIterations'] as const) {
      const value = this.#options[field];
      if (!(Number.isInteger(value) && value >= 1)) throw new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `${field} must be a positive integer (got ${value})`, { field });
    }
    const T = this.horizon.slots;
    this.#constant = new Float64Array(T);
    const flexible: Device[] = [];
    const ids = new Set<string>();
    for (const device of devices) {
      if (ids.has(device.id)) throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device id "${device.id}" appears twice`, { deviceId: device.id });
      ids.add(device.id);
      if (device.terminalCount !== 1) {
        throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" has ${device.terminalCount} terminals; behind a VEN terminal every device has one`, { deviceId: device.id });
      }
      if (device.horizon.slots !== T || device.horizon.slotHours !== this.horizon.slotHours) {
        throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${device.id}" has another horizon than "${first.id}"`, { deviceId: device.id });
      }
      if (device instanceof FixedLoad) {
        for (let t = 0; t < T; t++) this.#constant[t]! += device.power[t]!;
        this.#last.set(device.id, Float64Array.from(device.power));
      } else {
        flexible.push(device);
      }
    }
    this.#flexible = flexible;
  }

  /**
   * The VEN's answer to one round: the aggregate profile (kW per slot, consumption positive)
   * minimising f(p) + dt price'p + (rho/2)||p - setpoint||^2 over its devices.
   */
  respond(incentive: LocalIncentive): Float64Array {
    const T = this.horizon.slots;
    const rho = incentive.rho;
    if (!(Number.isFinite(rho) && rho > 0)) throw new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `incentive rho must be positive (got ${rho})`, { field: 'rho' });
    if (incentive.setpoint.length !== T || (incentive.price !== undefined && incentive.price.length !== T)) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `incentive setpoint and price must have ${T} values`, { field: 'setpoint' });
    }
    const shifted = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      shifted[t] = incentive.setpoint[t]! - ((incentive.price?.[t] ?? 0) * this.horizon.slotHours) / rho - this.#constant[t]!;
      if (!Number.isFinite(shifted[t]!)) throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `incentive slot ${t} is not a finite number`, { field: `setpoint[${t}]` });
    }
    const out = Float64Array.from(this.#constant);
    if (this.#flexible.length === 1) {
      const only = this.#flexible[0]!;
      const profile = new Float64Array(T);
      for (let pass = 0; pass < this.#options.passes; pass++) only.prox(shifted, rho, profile);
      this.#last.set(only.id, profile);
      for (let t = 0; t < T; t++) out[t]! += profile[t]!;
    } else if (this.#flexible.length > 1) {
      const local = this.#localEngine(rho);
      // The connection injects the aggregate q = -p with cost (rho/2)||q + v||^2.
      for (let t = 0; t < T; t++) local.connection.target[t] = -shifted[t]!;
      for (let k = 0; k < this.#options.localIterations; k++) local.engine.step();
      for (const device of this.#flexible) this.#last.set(device.id, local.engine.profile(device.id));
      const connection = local.engine.profile(CONNECTION_ID);
      for (let t = 0; t < T; t++) out[t]! -= connection[t]!;
    }
    return out;
  }

  /** The local engine for this rho; a new rho needs a new connection weight, the devices keep their warm start. */
  #localEngine(rho: number): { engine: AdmmEngine; connection: TargetFollower } {
    if (this.#local !== undefined && this.#local.rho === rho) return this.#local;
    const builder = new NetworkBuilder(this.horizon).addNet('local');
    for (const device of this.#flexible) builder.addDevice(device, ['local']);
    const connection = new TargetFollower(CONNECTION_ID, { targetKw: 0, weight: rho / this.horizon.slotHours }, this.horizon);
    builder.addDevice(connection, ['local']);
    const previous = this.#local?.engine.prices('local');
    // A fixed local rho: residual balancing inside would fight the outer rounds' changing target.
    const engine = new AdmmEngine(builder.build(), { rho, adaptiveRho: false, ...(previous === undefined ? {} : { initialPrices: { local: previous } }) });
    this.#local = { engine, connection, rho };
    return this.#local;
  }

  /**
   * Each device's schedule behind the last answer, repaired to its own constraints: what the VEN
   * executes once the schedule is agreed. Before any answer, flexible devices are absent.
   */
  schedules(): Map<string, Float64Array> {
    const result = new Map<string, Float64Array>();
    for (const device of this.devices) {
      const last = this.#last.get(device.id);
      if (last === undefined) continue;
      const repaired = new Float64Array(last.length);
      device.repair(last, repaired);
      result.set(device.id, repaired);
    }
    return result;
  }

  /** The private cost of those schedules, EUR (never sent: the VTN sees the profile only). */
  cost(): number {
    const schedules = this.schedules();
    let sum = 0;
    for (const device of this.devices) {
      const schedule = schedules.get(device.id);
      if (schedule !== undefined) sum += device.cost(schedule);
    }
    return sum;
  }
}
