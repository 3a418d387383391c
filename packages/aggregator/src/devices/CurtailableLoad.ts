import { boxedQuadraticMin, clip, type Device } from '../Device.js';
import { readHorizon, readNumber, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';

export interface CurtailableLoadParameters {
  /** Power wanted per slot, kW, at least 0. */
  readonly demandKw: Profile;
  /** Cost of each kWh not served, EUR/kWh. */
  readonly curtailmentCostPerKwh: number;
}

export const curtailableLoadFields = ['demandKw', 'curtailmentCostPerKwh'] as const;

/** A load that may be served partly: 0 <= p <= demand, cost dt * c * (demand - p). */
export class CurtailableLoad implements Device {
  readonly kind = 'curtailable-load';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly demand: Float64Array;
  readonly curtailmentCostPerKwh: number;

  constructor(id: string, parameters: CurtailableLoadParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, curtailableLoadFields);
    this.demand = readProfile(id, 'demandKw', raw.demandKw, this.horizon.slots, { min: 0 });
    this.curtailmentCostPerKwh = readNumber(id, 'curtailmentCostPerKwh', raw.curtailmentCostPerKwh, { min: 0 });
  }

  prox(v: Float64Array, rho: number, out: Float64Array): void {
    const shift = (this.horizon.slotHours * this.curtailmentCostPerKwh) / rho;
    for (let t = 0; t < this.demand.length; t++) out[t] = clip(v[t]! + shift, 0, this.demand[t]!);
  }

  cost(p: Float64Array): number {
    let unserved = 0;
    for (let t = 0; t < this.demand.length; t++) unserved += Math.max(this.demand[t]! - p[t]!, 0);
    return this.horizon.slotHours * this.curtailmentCostPerKwh * unserved;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    for (let t = 0; t < this.demand.length; t++) worst = Math.max(worst, -p[t]!, p[t]! - this.demand[t]!);
    return worst;
  }

  repair(p: Float64Array, out: Float64Array): void {
    for (let t = 0; t < this.demand.length; t++) out[t] = clip(p[t]!, 0, this.demand[t]!);
  }

  dualBound(y: Float64Array): number {
    const c = this.horizon.slotHours * this.curtailmentCostPerKwh;
    let sum = 0;
    for (let t = 0; t < this.demand.length; t++) sum += c * this.demand[t]! + boxedQuadraticMin(0, y[t]! - c, 0, this.demand[t]!);
    return sum;
  }
}
