import { infeasible } from '../AggregatorError.js';
import { readHorizon, readNumber, readOptionalNumber, rejectUnknownFields, requireObject, type Horizon } from '../parameters.js';
import { StorageDevice } from './StorageDevice.js';

export interface BatteryParameters {
  /** Usable energy capacity, kWh. */
  readonly capacityKwh: number;
  /** Lowest allowed state of charge, kWh (default 0). */
  readonly minSocKwh?: number;
  /** Largest charging power drawn from the net, kW. */
  readonly maxChargeKw: number;
  /** Largest discharging power delivered to the net, kW. */
  readonly maxDischargeKw: number;
  /** Fraction of the drawn energy that is stored (default 1). */
  readonly chargeEfficiency?: number;
  /** Fraction of the released energy that reaches the net (default 1). */
  readonly dischargeEfficiency?: number;
  /** State of charge at the start of the horizon, kWh. */
  readonly initialSocKwh: number;
  /** State of charge required at the end of the horizon, kWh (default: the initial one). */
  readonly finalSocKwh?: number;
  /** Wear cost per kWh of throughput (charge plus discharge), EUR/kWh (default 0). */
  readonly wearCostPerKwh?: number;
}

export const batteryFields = [
  'capacityKwh',
  'minSocKwh',
  'maxChargeKw',
  'maxDischargeKw',
  'chargeEfficiency',
  'dischargeEfficiency',
  'initialSocKwh',
  'finalSocKwh',
  'wearCostPerKwh',
] as const;

/** A stationary battery that must end the horizon at a given state of charge. */
export class Battery extends StorageDevice {
  readonly kind = 'battery';
  readonly parameters: Readonly<Required<BatteryParameters>>;

  constructor(id: string, parameters: BatteryParameters, horizon: Horizon) {
    const h = readHorizon(horizon);
    const P = readBattery(id, parameters);
    const T = h.slots;
    const minSoc = new Float64Array(T).fill(P.minSocKwh);
    const maxSoc = new Float64Array(T).fill(P.capacityKwh);
    minSoc[T - 1] = P.finalSocKwh;
    maxSoc[T - 1] = P.finalSocKwh;
    super(id, h, {
      maxChargeKw: new Float64Array(T).fill(P.maxChargeKw),
      maxDischargeKw: new Float64Array(T).fill(P.maxDischargeKw),
      minSocKwh: minSoc,
      maxSocKwh: maxSoc,
      chargeEfficiency: P.chargeEfficiency,
      dischargeEfficiency: P.dischargeEfficiency,
      initialSocKwh: P.initialSocKwh,
      wearCostPerKwh: P.wearCostPerKwh,
    });
    this.parameters = P;
    if (this.firstUnreachableSlot() >= 0) {
      throw infeasible(id, `the final state of charge ${P.finalSocKwh} kWh cannot be reached from ${P.initialSocKwh} kWh within the rate limits`, 'finalSocKwh');
    }
  }
}

function readBattery(id: string, parameters: BatteryParameters): Required<BatteryParameters> {
  const raw = requireObject(id, parameters);
  rejectUnknownFields(id, raw, batteryFields);
  const capacityKwh = readNumber(id, 'capacityKwh', raw.capacityKwh, { min: 0 });
  const minSocKwh = readOptionalNumber(id, 'minSocKwh', raw.minSocKwh, 0, { min: 0, max: capacityKwh });
  const initialSocKwh = readNumber(id, 'initialSocKwh', raw.initialSocKwh, { min: minSocKwh, max: capacityKwh });
  return {
    capacityKwh,
    minSocKwh,
    maxChargeKw: readNumber(id, 'maxChargeKw', raw.maxChargeKw, { min: 0 }),
    maxDischargeKw: readNumber(id, 'maxDischargeKw', raw.maxDischargeKw, { min: 0 }),
    chargeEfficiency: readOptionalNumber(id, 'chargeEfficiency', raw.chargeEfficiency, 1, { above: 0, max: 1 }),
    dischargeEfficiency: readOptionalNumber(id, 'dischargeEfficiency', raw.dischargeEfficiency, 1, { above: 0, max: 1 }),
    initialSocKwh,
    finalSocKwh: readOptionalNumber(id, 'finalSocKwh', raw.finalSocKwh, initialSocKwh, { min: minSocKwh, max: capacityKwh }),
    wearCostPerKwh: readOptionalNumber(id, 'wearCostPerKwh', raw.wearCostPerKwh, 0, { min: 0 }),
  };
}
