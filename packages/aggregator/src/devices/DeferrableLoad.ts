import { infeasible, invalidParameter } from '../AggregatorError.js';
import type { Device } from '../Device.js';
import { readHorizon, readNumber, rejectUnknownFields, requireObject, type Horizon } from '../parameters.js';

export interface DeferrableLoadParameters {
  /** Energy to deliver within the window, kWh. */
  readonly energyKwh: number;
  /** Largest power, kW. */
  readonly maxPowerKw: number;
  /** First slot of the window (default 0). */
  readonly startSlot?: number;
  /** Slot by which the energy must be delivered, exclusive (default T). */
  readonly deadlineSlot?: number;
}

export const deferrableLoadFields = ['energyKwh', 'maxPowerKw', 'startSlot', 'deadlineSlot'] as const;

/** A job needing a fixed energy inside a window (washing machine, pool pump): 0 <= p <= Pmax, dt * sum p = E. */
export class DeferrableLoad implements Device {
  readonly kind = 'deferrable-load';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly energyKwh: number;
  readonly maxPowerKw: number;
  readonly startSlot: number;
  readonly deadlineSlot: number;
  private readonly breakpoints: Float64Array;
  private readonly slopes: Float64Array;
  private readonly order: Uint32Array;

  constructor(id: string, parameters: DeferrableLoadParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, deferrableLoadFields);
    const T = this.horizon.slots;
    this.energyKwh = readNumber(id, 'energyKwh', raw.energyKwh, { min: 0 });
    this.maxPowerKw = readNumber(id, 'maxPowerKw', raw.maxPowerKw, { min: 0 });
    this.startSlot = raw.startSlot === undefined ? 0 : readNumber(id, 'startSlot', raw.startSlot, { min: 0, max: T - 1, integer: true });
    this.deadlineSlot = raw.deadlineSlot === undefined ? T : readNumber(id, 'deadlineSlot', raw.deadlineSlot, { min: 0, max: T, integer: true });
    if (this.deadlineSlot <= this.startSlot) throw invalidParameter(id, 'deadlineSlot', `(${this.deadlineSlot}) must come after startSlot (${this.startSlot})`);
    const most = this.maxPowerKw * this.horizon.slotHours * (this.deadlineSlot - this.startSlot);
    if (this.energyKwh > most * (1 + 1e-12)) {
      throw infeasible(id, `needs ${this.energyKwh} kWh but at ${this.maxPowerKw} kW the window gives at most ${most} kWh`, 'energyKwh');
    }
    const W = this.deadlineSlot - this.startSlot;
    this.breakpoints = new Float64Array(2 * W);
    this.slopes = new Float64Array(2 * W);
    this.order = new Uint32Array(2 * W);
  }

  /** p = clip(v + nu, 0, Pmax) on the window with nu found exactly on the sorted breakpoints. */
  prox(v: Float64Array, _rho: number, out: Float64Array): void {
    const { startSlot: a, deadlineSlot: b } = this;
    const dt = this.horizon.slotHours;
    const W = b - a;
    out.fill(0);
    for (let k = 0; k < W; k++) {
      const vt = v[a + k]!;
      this.breakpoints[2 * k] = -vt;
      this.slopes[2 * k] = dt;
      this.breakpoints[2 * k + 1] = this.maxPowerKw - vt;
      this.slopes[2 * k + 1] = -dt;
    }
    for (let i = 0; i < 2 * W; i++) this.order[i] = i;
    this.order.sort((i, j) => this.breakpoints[i]! - this.breakpoints[j]!);
    let nu = this.breakpoints[this.order[2 * W - 1]!]!;
    let energy = 0;
    let slope = 0;
    let previous = this.breakpoints[this.order[0]!]!;
    for (let i = 0; i < 2 * W; i++) {
      const point = this.breakpoints[this.order[i]!]!;
      const next = energy + slope * (point - previous);
      if (next >= this.energyKwh && slope > 0) {
        nu = previous + (this.energyKwh - energy) / slope;
        break;
      }
      energy = next;
      previous = point;
      slope += this.slopes[this.order[i]!]!;
    }
    for (let t = a; t < b; t++) out[t] = Math.min(Math.max(v[t]! + nu, 0), this.maxPowerKw);
  }

  cost(): number {
    return 0;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    let energy = 0;
    for (let t = 0; t < p.length; t++) {
      const pt = p[t]!;
      if (t < this.startSlot || t >= this.deadlineSlot) worst = Math.max(worst, Math.abs(pt));
      else {
        worst = Math.max(worst, -pt, pt - this.maxPowerKw);
        energy += pt * this.horizon.slotHours;
      }
    }
    return Math.max(worst, Math.abs(energy - this.energyKwh));
  }

  repair(p: Float64Array, out: Float64Array): void {
    this.prox(p, 1, out);
  }

  /** Fills the cheapest slots first (the LP min y'p over the window is a fractional knapsack). */
  dualBound(y: Float64Array): number {
    const slots = Array.from({ length: this.deadlineSlot - this.startSlot }, (_, k) => this.startSlot + k);
    slots.sort((i, j) => y[i]! - y[j]!);
    let left = this.energyKwh / this.horizon.slotHours;
    let sum = 0;
    for (const t of slots) {
      const p = Math.min(left, this.maxPowerKw);
      sum += y[t]! * p;
      left -= p;
      if (left <= 0) break;
    }
    return sum;
  }
}
