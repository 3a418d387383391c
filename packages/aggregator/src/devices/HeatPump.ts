import { infeasible, invalidParameter } from '../AggregatorError.js';
import { firstUnreachableSlot, sharedZeros, type LqModel } from '../BoxLqSolver.js';
import { readHorizon, readNumber, readProfile, rejectUnknownFields, requireObject, type Horizon, type Profile } from '../parameters.js';
import { LqDevice } from './LqDevice.js';

export interface HeatPumpParameters {
  /** Largest electric power, kW. */
  readonly maxPowerKw: number;
  /** Coefficient of performance: heat delivered per unit of electricity. */
  readonly cop: number;
  /** Thermal capacity of the house, kWh per kelvin. */
  readonly thermalCapacityKwhPerK: number;
  /** Heat loss to the outside, kW per kelvin of indoor-outdoor difference. */
  readonly heatLossKwPerK: number;
  /** Indoor temperature at the start, deg C. */
  readonly initialTempC: number;
  /** Comfort band, deg C (a number or one per slot). */
  readonly minTempC: Profile;
  readonly maxTempC: Profile;
  /** Outdoor temperature, deg C (a number or one per slot). */
  readonly outdoorTempC: Profile;
}

export const heatPumpFields = ['maxPowerKw', 'cop', 'thermalCapacityKwhPerK', 'heatLossKwPerK', 'initialTempC', 'minTempC', 'maxTempC', 'outdoorTempC'] as const;

/**
 * A heat pump with a first-order thermal model:
 *   theta_t = theta_{t-1} + dt/C (UA (theta_out_t - theta_{t-1}) + COP p_t),  minTemp <= theta_t <= maxTemp,
 * 0 <= p <= Pmax, no cost of its own (the electricity is paid at the net price).
 */
export class HeatPump extends LqDevice {
  readonly kind = 'heat-pump';
  readonly parameters: Readonly<HeatPumpParameters>;
  private readonly model: LqModel;

  constructor(id: string, parameters: HeatPumpParameters, horizon: Horizon) {
    const h = readHorizon(horizon);
    const model = heatPumpModel(id, parameters, h);
    super(id, h, model);
    this.model = model;
    this.parameters = parameters;
    const slot = firstUnreachableSlot(model);
    if (slot >= 0) throw infeasible(id, `the comfort band cannot be kept in slot ${slot} within the power limit`, 'minTempC');
  }

  /** Indoor temperature after each slot for a profile p, deg C. */
  temperatures(p: Float64Array): Float64Array {
    const m = this.model;
    const out = new Float64Array(m.slots);
    let s = m.initialState;
    for (let t = 0; t < m.slots; t++) {
      s = m.decay * s + m.gain0 * p[t]! + m.offset[t]!;
      out[t] = s;
    }
    return out;
  }

  cost(): number {
    return 0;
  }

  violation(p: Float64Array): number {
    const m = this.model;
    const temps = this.temperatures(p);
    let worst = 0;
    for (let t = 0; t < m.slots; t++) worst = Math.max(worst, -p[t]!, p[t]! - m.hi0[t]!, m.loState[t]! - temps[t]!, temps[t]! - m.hiState[t]!);
    return worst;
  }
}

function heatPumpModel(id: string, parameters: HeatPumpParameters, h: Horizon): LqModel {
  const raw = requireObject(id, parameters);
  rejectUnknownFields(id, raw, heatPumpFields);
  const T = h.slots;
  const dt = h.slotHours;
  const maxPowerKw = readNumber(id, 'maxPowerKw', raw.maxPowerKw, { min: 0 });
  const cop = readNumber(id, 'cop', raw.cop, { above: 0 });
  const capacity = readNumber(id, 'thermalCapacityKwhPerK', raw.thermalCapacityKwhPerK, { above: 0 });
  const loss = readNumber(id, 'heatLossKwPerK', raw.heatLossKwPerK, { min: 0 });
  const initial = readNumber(id, 'initialTempC', raw.initialTempC);
  const minTemp = readProfile(id, 'minTempC', raw.minTempC, T);
  const maxTemp = readProfile(id, 'maxTempC', raw.maxTempC, T);
  const outdoor = readProfile(id, 'outdoorTempC', raw.outdoorTempC, T);
  const leak = (dt * loss) / capacity;
  if (leak >= 1) throw invalidParameter(id, 'heatLossKwPerK', `is too large for the slot length: dt * loss / capacity = ${leak} must stay below 1`);
  for (let t = 0; t < T; t++) {
    if (minTemp[t]! > maxTemp[t]!) throw invalidParameter(id, `minTempC[${t}]`, `must not exceed maxTempC[${t}]`);
  }
  const zero = sharedZeros(T);
  return {
    slots: T,
    decay: 1 - leak,
    gain0: (dt * cop) / capacity,
    gain1: 0,
    offset: outdoor.map((x) => leak * x),
    initialState: initial,
    quad0: 0,
    quad1: 0,
    quadState: 0,
    lin0: zero,
    lin1: zero,
    linState: zero,
    out0: 1,
    out1: 0,
    outState: 0,
    lo0: zero,
    hi0: new Float64Array(T).fill(maxPowerKw),
    lo1: zero,
    hi1: zero,
    loState: minTemp,
    hiState: maxTemp,
    stateWeight: 1,
  };
}
