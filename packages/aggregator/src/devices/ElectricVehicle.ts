import { infeasible, invalidParameter } from '../AggregatorError.js';
import { readHorizon, readNumber, readOptionalNumber, rejectUnknownFields, requireObject, type Horizon } from '../parameters.js';
import { StorageDevice } from './StorageDevice.js';

export interface ElectricVehicleParameters {
  /** Battery capacity, kWh. */
  readonly capacityKwh: number;
  /** State of charge on arrival, kWh (default 0). */
  readonly initialSocKwh?: number;
  /** State of charge needed at departure, kWh. */
  readonly requiredSocKwh: number;
  /** First slot the car is plugged in. */
  readonly arrivalSlot: number;
  /** Slot the car leaves, exclusive: charging happens in arrivalSlot .. departureSlot - 1. */
  readonly departureSlot: number;
  /** Largest charging power, kW. */
  readonly maxChargeKw: number;
  /** Largest discharging power (vehicle-to-grid), kW (default 0). */
  readonly maxDischargeKw?: number;
  /** Charging efficiency (default 1). */
  readonly chargeEfficiency?: number;
  /** Discharging efficiency (default 1). */
  readonly dischargeEfficiency?: number;
  /** Wear cost per kWh of throughput, EUR/kWh (default 0). */
  readonly wearCostPerKwh?: number;
}

export const electricVehicleFields = [
  'capacityKwh',
  'initialSocKwh',
  'requiredSocKwh',
  'arrivalSlot',
  'departureSlot',
  'maxChargeKw',
  'maxDischargeKw',
  'chargeEfficiency',
  'dischargeEfficiency',
  'wearCostPerKwh',
] as const;

/** An EV: a battery that is only connected between arrival and departure and must leave charged enough. */
export class ElectricVehicle extends StorageDevice {
  readonly kind = 'electric-vehicle';
  readonly parameters: Readonly<Required<ElectricVehicleParameters>>;

  constructor(id: string, parameters: ElectricVehicleParameters, horizon: Horizon) {
    const h = readHorizon(horizon);
    const T = h.slots;
    const raw = requireObject(id, parameters);
    rejectUnknownFields(id, raw, electricVehicleFields);
    const capacityKwh = readNumber(id, 'capacityKwh', raw.capacityKwh, { min: 0 });
    const initialSocKwh = readOptionalNumber(id, 'initialSocKwh', raw.initialSocKwh, 0, { min: 0, max: capacityKwh });
    const P: Required<ElectricVehicleParameters> = {
      capacityKwh,
      initialSocKwh,
      requiredSocKwh: readNumber(id, 'requiredSocKwh', raw.requiredSocKwh, { min: 0, max: capacityKwh }),
      arrivalSlot: readNumber(id, 'arrivalSlot', raw.arrivalSlot, { min: 0, max: T - 1, integer: true }),
      departureSlot: readNumber(id, 'departureSlot', raw.departureSlot, { min: 0, max: T, integer: true }),
      maxChargeKw: readNumber(id, 'maxChargeKw', raw.maxChargeKw, { min: 0 }),
      maxDischargeKw: readOptionalNumber(id, 'maxDischargeKw', raw.maxDischargeKw, 0, { min: 0 }),
      chargeEfficiency: readOptionalNumber(id, 'chargeEfficiency', raw.chargeEfficiency, 1, { above: 0, max: 1 }),
      dischargeEfficiency: readOptionalNumber(id, 'dischargeEfficiency', raw.dischargeEfficiency, 1, { above: 0, max: 1 }),
      wearCostPerKwh: readOptionalNumber(id, 'wearCostPerKwh', raw.wearCostPerKwh, 0, { min: 0 }),
    };
    if (P.departureSlot <= P.arrivalSlot) {
      throw invalidParameter(id, 'departureSlot', `(${P.departureSlot}) must come after arrivalSlot (${P.arrivalSlot}): the deadline is before the charging window`);
    }
    const maxCharge = new Float64Array(T);
    const maxDischarge = new Float64Array(T);
    for (let t = P.arrivalSlot; t < P.departureSlot; t++) {
      maxCharge[t] = P.maxChargeKw;
      maxDischarge[t] = P.maxDischargeKw;
    }
    const minSoc = new Float64Array(T);
    minSoc[P.departureSlot - 1] = P.requiredSocKwh;
    super(id, h, {
      maxChargeKw: maxCharge,
      maxDischargeKw: maxDischarge,
      minSocKwh: minSoc,
      maxSocKwh: new Float64Array(T).fill(capacityKwh),
      chargeEfficiency: P.chargeEfficiency,
      dischargeEfficiency: P.dischargeEfficiency,
      initialSocKwh,
      wearCostPerKwh: P.wearCostPerKwh,
    });
    this.parameters = P;
    if (this.firstUnreachableSlot() >= 0) {
      const most = initialSocKwh + h.slotHours * P.chargeEfficiency * P.maxChargeKw * (P.departureSlot - P.arrivalSlot);
      throw infeasible(id, `needs ${P.requiredSocKwh} kWh at departure but charging at ${P.maxChargeKw} kW reaches at most ${Math.min(most, capacityKwh)} kWh`, 'requiredSocKwh');
    }
  }
}
