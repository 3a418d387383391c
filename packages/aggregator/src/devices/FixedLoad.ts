import type { Device } from '../Device.js';
import { readHorizon, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';

export interface FixedLoadParameters {
  /** Power per slot, kW: consumption positive, so PV netted in is negative. */
  readonly powerKw: Profile;
}

export const fixedLoadFields = ['powerKw'] as const;

/** An inflexible load (or a house's net load with its PV subtracted): p = l, nothing to decide. */
export class FixedLoad implements Device {
  readonly kind = 'fixed-load';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly power: Float64Array;

  constructor(id: string, parameters: FixedLoadParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, fixedLoadFields);
    this.power = readProfile(id, 'powerKw', raw.powerKw, this.horizon.slots);
  }

  prox(_v: Float64Array, _rho: number, out: Float64Array): void {
    out.set(this.power);
  }

  cost(): number {
    return 0;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    for (let t = 0; t < this.power.length; t++) worst = Math.max(worst, Math.abs(p[t]! - this.power[t]!));
    return worst;
  }

  repair(_p: Float64Array, out: Float64Array): void {
    out.set(this.power);
  }

  dualBound(y: Float64Array): number {
    let sum = 0;
    for (let t = 0; t < this.power.length; t++) sum += y[t]! * this.power[t]!;
    return sum;
  }
}
