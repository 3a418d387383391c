import { boxedQuadraticMin, clip, type Device } from '../Device.js';
import { readHorizon, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';

export interface CurtailableGenerationParameters {
  /** Power available per slot (PV forecast), kW, at least 0. */
  readonly availableKw: Profile;
}

export const curtailableGenerationFields = ['availableKw'] as const;

/** PV or wind that may be curtailed at no cost: -available <= p <= 0. */
export class CurtailableGeneration implements Device {
  readonly kind = 'curtailable-generation';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly available: Float64Array;

  constructor(id: string, parameters: CurtailableGenerationParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, curtailableGenerationFields);
    this.available = readProfile(id, 'availableKw', raw.availableKw, this.horizon.slots, { min: 0 });
  }

  prox(v: Float64Array, _rho: number, out: Float64Array): void {
    for (let t = 0; t < this.available.length; t++) out[t] = clip(v[t]!, -this.available[t]!, 0);
  }

  cost(): number {
    return 0;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    for (let t = 0; t < this.available.length; t++) worst = Math.max(worst, p[t]!, -p[t]! - this.available[t]!);
    return worst;
  }

  repair(p: Float64Array, out: Float64Array): void {
    this.prox(p, 1, out);
  }

  dualBound(y: Float64Array): number {
    let sum = 0;
    for (let t = 0; t < this.available.length; t++) sum += boxedQuadraticMin(0, y[t]!, -this.available[t]!, 0);
    return sum;
  }
}
