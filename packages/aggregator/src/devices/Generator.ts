import { infeasible } from '../AggregatorError.js';
import { boxedQuadraticMin, clip } from '../Device.js';
import { firstUnreachableSlot, sharedZeros, type LqModel } from '../BoxLqSolver.js';
import { readHorizon, readNumber, readOptionalNumber, rejectUnknownFields, requireObject, type Horizon } from '../parameters.js';
import { LqDevice } from './LqDevice.js';

export interface GeneratorParameters {
  /** Output bounds, kW (output g = -p). */
  readonly minKw: number;
  readonly maxKw: number;
  /** alpha in dt * (alpha g^2 + beta g), EUR/(kW^2 h) (default 0). */
  readonly quadraticCost?: number;
  /** beta, EUR/kWh (default 0). */
  readonly linearCost?: number;
  /** Largest increase of output from one slot to the next, kW (default none). */
  readonly rampUpKw?: number;
  /** Largest decrease of output from one slot to the next, kW (default none). */
  readonly rampDownKw?: number;
  /** Output before the horizon, kW; the first slot's ramp is measured from it (default: no limit on the first slot). */
  readonly initialOutputKw?: number;
}

export const generatorFields = ['minKw', 'maxKw', 'quadraticCost', 'linearCost', 'rampUpKw', 'rampDownKw', 'initialOutputKw'] as const;

/**
 * A dispatchable generator. Without ramp limits its prox is closed form per slot; with them the
 * slots couple and the banded solver runs with state g and control g_t - g_{t-1}.
 */
export class Generator extends LqDevice {
  readonly kind = 'generator';
  readonly minKw: number;
  readonly maxKw: number;
  readonly quadraticCost: number;
  readonly linearCost: number;
  readonly rampUpKw: number;
  readonly rampDownKw: number;
  readonly initialOutputKw: number | undefined;

  constructor(id: string, parameters: GeneratorParameters, horizon: Horizon) {
    const h = readHorizon(horizon);
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, generatorFields);
    const minKw = readNumber(id, 'minKw', raw.minKw);
    const maxKw = readNumber(id, 'maxKw', raw.maxKw, { min: minKw });
    const quadraticCost = readOptionalNumber(id, 'quadraticCost', raw.quadraticCost, 0, { min: 0 });
    const linearCost = readOptionalNumber(id, 'linearCost', raw.linearCost, 0);
    const rampUpKw = readOptionalNumber(id, 'rampUpKw', raw.rampUpKw, Infinity, { min: 0 });
    const rampDownKw = readOptionalNumber(id, 'rampDownKw', raw.rampDownKw, Infinity, { min: 0 });
    const initialOutputKw = raw.initialOutputKw === undefined ? undefined : readNumber(id, 'initialOutputKw', raw.initialOutputKw);
    const T = h.slots;
    const dt = h.slotHours;
    const rampLo = new Float64Array(T).fill(-rampDownKw);
    const rampHi = new Float64Array(T).fill(rampUpKw);
    if (initialOutputKw === undefined) {
      rampLo[0] = -Infinity;
      rampHi[0] = Infinity;
    }
    const zero = sharedZeros(T);
    const model: LqModel = {
      slots: T,
      decay: 1,
      gain0: 1,
      gain1: 0,
      offset: zero,
      initialState: initialOutputKw ?? 0,
      quad0: 0,
      quad1: 0,
      quadState: 2 * dt * quadraticCost,
      lin0: zero,
      lin1: zero,
      linState: new Float64Array(T).fill(dt * linearCost),
      out0: 0,
      out1: 0,
      outState: -1,
      lo0: rampLo,
      hi0: rampHi,
      lo1: zero,
      hi1: zero,
      loState: new Float64Array(T).fill(minKw),
      hiState: new Float64Array(T).fill(maxKw),
      stateWeight: 1,
    };
    super(id, h, model);
    this.minKw = minKw;
    this.maxKw = maxKw;
    this.quadraticCost = quadraticCost;
    this.linearCost = linearCost;
    this.rampUpKw = rampUpKw;
    this.rampDownKw = rampDownKw;
    this.initialOutputKw = initialOutputKw;
    if (firstUnreachableSlot(model) >= 0) {
      throw infeasible(id, `the output range [${minKw}, ${maxKw}] kW cannot be reached from ${initialOutputKw} kW within the ramp limits`, 'initialOutputKw');
    }
  }

  private get ramped(): boolean {
    return this.rampUpKw !== Infinity || this.rampDownKw !== Infinity;
  }

  override prox(v: Float64Array, rho: number, out: Float64Array): void {
    if (this.ramped) {
      super.prox(v, rho, out);
      return;
    }
    const dt = this.horizon.slotHours;
    for (let t = 0; t < this.horizon.slots; t++) {
      const g = clip((rho * -v[t]! - dt * this.linearCost) / (2 * dt * this.quadraticCost + rho), this.minKw, this.maxKw);
      out[t] = -g;
    }
  }

  override proxToTolerance(v: Float64Array, rho: number, out: Float64Array, tol?: number, maxIterations?: number): void {
    if (this.ramped) super.proxToTolerance(v, rho, out, tol, maxIterations);
    else this.prox(v, rho, out);
  }

  cost(p: Float64Array): number {
    let sum = 0;
    for (let t = 0; t < this.horizon.slots; t++) {
      const g = -p[t]!;
      sum += this.quadraticCost * g * g + this.linearCost * g;
    }
    return this.horizon.slotHours * sum;
  }

  violation(p: Float64Array): number {
    let worst = 0;
    let previous = this.initialOutputKw;
    for (let t = 0; t < this.horizon.slots; t++) {
      const g = -p[t]!;
      worst = Math.max(worst, this.minKw - g, g - this.maxKw);
      if (previous !== undefined) worst = Math.max(worst, g - previous - this.rampUpKw, previous - g - this.rampDownKw);
      previous = g;
    }
    return worst;
  }

  override repair(p: Float64Array, out: Float64Array): void {
    if (this.ramped) super.repair(p, out);
    else for (let t = 0; t < this.horizon.slots; t++) out[t] = -clip(-p[t]!, this.minKw, this.maxKw);
  }

  override dualBound(y: Float64Array, p: Float64Array, rho: number): number {
    if (this.ramped) return super.dualBound(y, p, rho);
    const dt = this.horizon.slotHours;
    let sum = 0;
    for (let t = 0; t < this.horizon.slots; t++) sum += boxedQuadraticMin(2 * dt * this.quadraticCost, dt * this.linearCost - y[t]!, this.minKw, this.maxKw);
    return sum;
  }
}
