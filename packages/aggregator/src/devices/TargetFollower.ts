import { invalidParameter } from '../AggregatorError.js';
import { boxedQuadraticMin, clip, type Device } from '../Device.js';
import { readHorizon, readNumber, readOptionalProfile, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';

export interface TargetFollowerParameters {
  /** Profile to track, kW (e.g. a renewable surplus to absorb). */
  readonly targetKw: Profile;
  /** Weight w of the tracking cost dt * (w/2) * (p - target)^2, EUR/(kW^2 h). */
  readonly weight: number;
  /** Lower power bound, kW (default unbounded). */
  readonly minKw?: Profile;
  /** Upper power bound, kW (default unbounded). */
  readonly maxKw?: Profile;
}

export const targetFollowerFields = ['targetKw', 'weight', 'minKw', 'maxKw'] as const;

/** Tracks a target profile with a quadratic penalty (FHP: follow the renewable surplus). */
export class TargetFollower implements Device {
  readonly kind = 'target-follower';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly target: Float64Array;
  readonly weight: number;
  readonly min: Float64Array;
  readonly max: Float64Array;

  constructor(id: string, parameters: TargetFollowerParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, targetFollowerFields);
    const T = this.horizon.slots;
    this.target = readProfile(id, 'targetKw', raw.targetKw, T);
    this.weight = readNumber(id, 'weight', raw.weight, { above: 0 });
    this.min = readOptionalProfile(id, 'minKw', raw.minKw, T, -Infinity);
    this.max = readOptionalProfile(id, 'maxKw', raw.maxKw, T, Infinity);
    for (let t = 0; t < T; t++) {
      if (this.min[t]! > this.max[t]!) throw invalidParameter(id, `minKw[${t}]`, `must not exceed maxKw[${t}]`);
    }
  }

  prox(v: Float64Array, rho: number, out: Float64Array): void {
    const q = this.horizon.slotHours * this.weight;
    for (let t = 0; t < this.target.length; t++) out[t] = clip((q * this.target[t]! + rho * v[t]!) / (q + rho), this.min[t]!, this.max[t]!);
  }

  cost(p: Float64Array): number {
    let sum = 0;
    for (let t = 0; t < this.target.length; t++) sum += (p[t]! - this.target[t]!) ** 2;
    return 0.5 * this.horizon.slotHours * this.weight * sum;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    for (let t = 0; t < this.target.length; t++) worst = Math.max(worst, this.min[t]! - p[t]!, p[t]! - this.max[t]!);
    return worst;
  }

  repair(p: Float64Array, out: Float64Array): void {
    for (let t = 0; t < this.target.length; t++) out[t] = clip(p[t]!, this.min[t]!, this.max[t]!);
  }

  dualBound(y: Float64Array): number {
    const q = this.horizon.slotHours * this.weight;
    let sum = 0;
    for (let t = 0; t < this.target.length; t++) {
      const tau = this.target[t]!;
      sum += 0.5 * q * tau * tau + boxedQuadraticMin(q, y[t]! - q * tau, this.min[t]!, this.max[t]!);
    }
    return sum;
  }
}
