import { firstUnreachableSlot, sharedZeros, type LqModel } from '../BoxLqSolver.js';
import type { Horizon } from '../parameters.js';
import { LqDevice } from './LqDevice.js';

/** Per-slot limits of a storage device (battery, EV); see StorageDevice. */
export interface StorageLimits {
  readonly maxChargeKw: Float64Array;
  readonly maxDischargeKw: Float64Array;
  /** State of charge bounds after each slot, kWh (final or deadline requirements included). */
  readonly minSocKwh: Float64Array;
  readonly maxSocKwh: Float64Array;
  readonly chargeEfficiency: number;
  readonly dischargeEfficiency: number;
  readonly initialSocKwh: number;
  readonly wearCostPerKwh: number;
}

/** State-copy penalty relative to the controls' (tuned on community-39). */
const STATE_WEIGHT = 2;

/**
 * Storage with efficiencies and wear: p = c - d, SoC_t = SoC_{t-1} + dt (eta_c c_t - d_t / eta_d).
 * The convex model allows simultaneous charge and discharge; at a positive wear cost it never pays,
 * so a profile is read as c = max(p, 0), d = max(-p, 0).
 */
export abstract class StorageDevice extends LqDevice {
  protected readonly limits: StorageLimits;

  protected constructor(id: string, horizon: Horizon, limits: StorageLimits) {
    super(id, horizon, storageModel(horizon, limits));
    this.limits = limits;
  }

  /** Slot where the SoC bounds become unreachable within the rate limits, or -1. */
  protected firstUnreachableSlot(): number {
    return firstUnreachableSlot(this.solver.model);
  }

  /** State of charge after each slot for a profile p, kWh. */
  stateOfCharge(p: Float64Array): Float64Array {
    const L = this.limits;
    const dt = this.horizon.slotHours;
    const soc = new Float64Array(this.horizon.slots);
    let s = L.initialSocKwh;
    for (let t = 0; t < soc.length; t++) {
      const pt = p[t]!;
      s += pt > 0 ? dt * L.chargeEfficiency * pt : (dt * pt) / L.dischargeEfficiency;
      soc[t] = s;
    }
    return soc;
  }

  cost(p: Float64Array): number {
    let throughput = 0;
    for (let t = 0; t < this.horizon.slots; t++) throughput += Math.abs(p[t]!);
    return this.limits.wearCostPerKwh * this.horizon.slotHours * throughput;
  }

  violation(p: Float64Array): number {
    const L = this.limits;
    const soc = this.stateOfCharge(p);
    let worst = 0;
    for (let t = 0; t < soc.length; t++) {
      const pt = p[t]!;
      worst = Math.max(worst, pt - L.maxChargeKw[t]!, -pt - L.maxDischargeKw[t]!, L.minSocKwh[t]! - soc[t]!, soc[t]! - L.maxSocKwh[t]!);
    }
    return worst;
  }

  /**
   * Clips the rates, then walks forward; whenever the SoC leaves its bounds after slot t, the
   * missing (or surplus) energy is moved into slots t, t-1, ... as far as their rate headroom and
   * the SoC bounds in between allow. Exact (feasible) whenever the device is feasible.
   */
  override repair(p: Float64Array, out: Float64Array): void {
    const L = this.limits;
    const T = this.horizon.slots;
    const dt = this.horizon.slotHours;
    const up = dt * L.chargeEfficiency;
    const down = dt / L.dischargeEfficiency;
    const c = new Float64Array(T);
    const d = new Float64Array(T);
    const soc = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      c[t] = Math.min(Math.max(p[t]!, 0), L.maxChargeKw[t]!);
      d[t] = Math.min(Math.max(-p[t]!, 0), L.maxDischargeKw[t]!);
    }
    let s = L.initialSocKwh;
    for (let t = 0; t < T; t++) {
      s += up * c[t]! - down * d[t]!;
      soc[t] = s;
      if (s < L.minSocKwh[t]!) this.shift(t, L.minSocKwh[t]! - s, c, d, soc, up, down);
      else if (s > L.maxSocKwh[t]!) this.shift(t, L.maxSocKwh[t]! - s, c, d, soc, up, down);
      s = soc[t]!;
    }
    for (let t = 0; t < T; t++) out[t] = c[t]! - d[t]!;
  }

  /** Raises (energy > 0) or lowers the SoC at slot t by changing slots t, t-1, ...; updates soc up to t. */
  private shift(t: number, energy: number, c: Float64Array, d: Float64Array, soc: Float64Array, up: number, down: number): void {
    const L = this.limits;
    let left = Math.abs(energy);
    const raise = energy > 0;
    // Room in the SoC bounds between slot tau and t, which every earlier change passes through.
    let room = Infinity;
    for (let tau = t; tau >= 0 && left > 0; tau--) {
      if (tau < t) room = Math.min(room, raise ? L.maxSocKwh[tau]! - soc[tau]! : soc[tau]! - L.minSocKwh[tau]!);
      if (room <= 0) break;
      let moved = 0;
      if (raise) {
        const lessDischarge = Math.min(d[tau]!, Math.min(left, room) / down);
        d[tau]! -= lessDischarge;
        moved += lessDischarge * down;
        const moreCharge = Math.min(L.maxChargeKw[tau]! - c[tau]!, Math.min(left - moved, room - moved) / up);
        if (moreCharge > 0) {
          c[tau]! += moreCharge;
          moved += moreCharge * up;
        }
      } else {
        const lessCharge = Math.min(c[tau]!, Math.min(left, room) / up);
        c[tau]! -= lessCharge;
        moved += lessCharge * up;
        const moreDischarge = Math.min(L.maxDischargeKw[tau]! - d[tau]!, Math.min(left - moved, room - moved) / down);
        if (moreDischarge > 0) {
          d[tau]! += moreDischarge;
          moved += moreDischarge * down;
        }
      }
      if (moved > 0) {
        for (let k = tau; k <= t; k++) soc[k]! += raise ? moved : -moved;
        room -= moved;
        left -= moved;
      }
    }
  }
}

function storageModel(horizon: Horizon, L: StorageLimits): LqModel {
  const T = horizon.slots;
  const dt = horizon.slotHours;
  const wear = new Float64Array(T).fill(L.wearCostPerKwh * dt);
  return {
    slots: T,
    decay: 1,
    gain0: dt * L.chargeEfficiency,
    gain1: -dt / L.dischargeEfficiency,
    offset: sharedZeros(T),
    initialState: L.initialSocKwh,
    quad0: 0,
    quad1: 0,
    quadState: 0,
    lin0: wear,
    lin1: wear,
    linState: sharedZeros(T),
    out0: 1,
    out1: -1,
    outState: 0,
    lo0: sharedZeros(T),
    hi0: L.maxChargeKw,
    lo1: sharedZeros(T),
    hi1: L.maxDischargeKw,
    loState: L.minSocKwh,
    hiState: L.maxSocKwh,
    stateWeight: STATE_WEIGHT,
  };
}
