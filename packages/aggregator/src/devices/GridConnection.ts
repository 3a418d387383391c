import { invalidParameter } from '../AggregatorError.js';
import { boxedQuadraticMin, clip, type Device } from '../Device.js';
import { readHorizon, readNumber, readOptionalNumber, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';

export interface GridConnectionParameters {
  /** Price paid per kWh imported, EUR/kWh. */
  readonly importPrice: Profile;
  /** Price received per kWh exported, EUR/kWh; never above the import price (else buying to sell pays). */
  readonly exportPrice: Profile;
  /** Quadratic cost a in dt * (a/2) (import^2 + export^2), EUR/(kW^2 h) (default 0). */
  readonly quadraticCost?: number;
  /** Largest import, kW. */
  readonly importLimitKw: number;
  /** Largest export, kW. */
  readonly exportLimitKw: number;
}

export const gridConnectionFields = ['importPrice', 'exportPrice', 'quadraticCost', 'importLimitKw', 'exportLimitKw'] as const;

/**
 * The connection of a net to the outside grid. Its terminal consumes from the net when the net
 * exports (p = export - import), so the net's balance holds with the grid as one more terminal.
 */
export class GridConnection implements Device {
  readonly kind = 'grid-connection';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  readonly importPrice: Float64Array;
  readonly exportPrice: Float64Array;
  readonly quadraticCost: number;
  readonly importLimitKw: number;
  readonly exportLimitKw: number;

  constructor(id: string, parameters: GridConnectionParameters, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, gridConnectionFields);
    const T = this.horizon.slots;
    this.importPrice = readProfile(id, 'importPrice', raw.importPrice, T);
    this.exportPrice = readProfile(id, 'exportPrice', raw.exportPrice, T);
    for (let t = 0; t < T; t++) {
      if (this.exportPrice[t]! > this.importPrice[t]!) {
        throw invalidParameter(id, `exportPrice[${t}]`, `must not exceed importPrice[${t}] (${this.exportPrice[t]} > ${this.importPrice[t]}): the cost would not be convex`);
      }
    }
    this.quadraticCost = readOptionalNumber(id, 'quadraticCost', raw.quadraticCost, 0, { min: 0 });
    this.importLimitKw = readNumber(id, 'importLimitKw', raw.importLimitKw, { min: 0 });
    this.exportLimitKw = readNumber(id, 'exportLimitKw', raw.exportLimitKw, { min: 0 });
  }

  prox(v: Float64Array, rho: number, out: Float64Array): void {
    const dt = this.horizon.slotHours;
    const denominator = rho + dt * this.quadraticCost;
    for (let t = 0; t < this.horizon.slots; t++) {
      const importing = (rho * v[t]! + dt * this.importPrice[t]!) / denominator;
      const exporting = (rho * v[t]! + dt * this.exportPrice[t]!) / denominator;
      out[t] = importing < 0 ? Math.max(importing, -this.importLimitKw) : exporting > 0 ? Math.min(exporting, this.exportLimitKw) : 0;
    }
  }

  cost(p: Float64Array): number {
    const dt = this.horizon.slotHours;
    let sum = 0;
    for (let t = 0; t < this.horizon.slots; t++) {
      const pt = p[t]!;
      sum += pt < 0 ? -this.importPrice[t]! * pt : -this.exportPrice[t]! * pt;
      sum += 0.5 * this.quadraticCost * pt * pt;
    }
    return dt * sum;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    for (let t = 0; t < this.horizon.slots; t++) worst = Math.max(worst, -p[t]! - this.importLimitKw, p[t]! - this.exportLimitKw);
    return worst;
  }

  repair(p: Float64Array, out: Float64Array): void {
    for (let t = 0; t < this.horizon.slots; t++) out[t] = clip(p[t]!, -this.importLimitKw, this.exportLimitKw);
  }

  dualBound(y: Float64Array): number {
    const dt = this.horizon.slotHours;
    const q = dt * this.quadraticCost;
    let sum = 0;
    for (let t = 0; t < this.horizon.slots; t++) {
      const importing = boxedQuadraticMin(q, y[t]! - dt * this.importPrice[t]!, -this.importLimitKw, 0);
      const exporting = boxedQuadraticMin(q, y[t]! - dt * this.exportPrice[t]!, 0, this.exportLimitKw);
      sum += Math.min(importing, exporting);
    }
    return sum;
  }
}
