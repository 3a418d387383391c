import { clip, type Device } from '../Device.js';
import { readHorizon, readNumber, rejectUnknownFields, requireObject, type Horizon } from '../parameters.js';

export interface LineParameters {
  /** Largest power carried either way, kW. */
  readonly capacityKw: number;
}

export const lineFields = ['capacityKw'] as const;

/**
 * A lossless line, service connection or transformer between two nets: p1 + p2 = 0, |p1| <= C,
 * no cost. When it sits at its limit the two nets' prices differ: the congestion price.
 */
export class Line implements Device {
  readonly terminalCount = 2;
  readonly kind: 'line' | 'transformer';
  readonly id: string;
  readonly horizon: Horizon;
  readonly capacityKw: number;

  constructor(id: string, parameters: LineParameters, horizon: Horizon, kind: 'line' | 'transformer' = 'line') {
    this.id = id;
    this.kind = kind;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, lineFields);
    this.capacityKw = readNumber(id, 'capacityKw', raw.capacityKw, { min: 0 });
  }

  prox(v: Float64Array, _rho: number, out: Float64Array): void {
    const T = this.horizon.slots;
    for (let t = 0; t < T; t++) {
      const p1 = clip(0.5 * (v[t]! - v[T + t]!), -this.capacityKw, this.capacityKw);
      out[t] = p1;
      out[T + t] = -p1;
    }
  }

  cost(): number {
    return 0;
  }

  violation(p: Float64Array): number {
    const T = this.horizon.slots;
    let worst = 0;
    for (let t = 0; t < T; t++) worst = Math.max(worst, Math.abs(p[t]! + p[T + t]!), Math.abs(p[t]!) - this.capacityKw);
    return worst;
  }

  repair(p: Float64Array, out: Float64Array): void {
    const T = this.horizon.slots;
    for (let t = 0; t < T; t++) {
      const p1 = clip(0.5 * (p[t]! - p[T + t]!), -this.capacityKw, this.capacityKw);
      out[t] = p1;
      out[T + t] = -p1;
    }
  }

  dualBound(y: Float64Array): number {
    const T = this.horizon.slots;
    let sum = 0;
    for (let t = 0; t < T; t++) sum -= this.capacityKw * Math.abs(y[t]! - y[T + t]!);
    return sum;
  }
}
