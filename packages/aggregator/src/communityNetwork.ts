import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { Battery } from './devices/Battery.js';
import { FixedLoad } from './devices/FixedLoad.js';
import { GridConnection } from './devices/GridConnection.js';
import { NetworkBuilder, type Network } from './Network.js';

/**
 * The community instance as `bench/oracle/instance.py` writes it: H houses on one net, each a fixed
 * net load (load minus PV, kW) and a battery, plus one grid connection with a time-of-use import price.
 */
export interface CommunityInstance {
  readonly H: number;
  readonly T: number;
  /** Slot length, hours. */
  readonly dt: number;
  /** Per house, per slot: load minus PV, kW. */
  readonly net_load: readonly (readonly number[])[];
  /** Per house: battery capacity, kWh. */
  readonly smax: readonly number[];
  /** Per house: charge limit, kW. */
  readonly cmax: readonly number[];
  /** Per house: discharge limit, kW. */
  readonly dmax: readonly number[];
  /** Per house: initial (and final) state of charge, kWh. */
  readonly s0: readonly number[];
  readonly eta_c: number;
  readonly eta_d: number;
  /** Battery wear, EUR/kWh of throughput. */
  readonly kappa: number;
  /** Import price per slot, EUR/kWh. */
  readonly pi_buy: readonly number[];
  /** Export price, EUR/kWh. */
  readonly pi_sell: number;
  /** Quadratic import/export cost, EUR/(kW^2 h). */
  readonly a: number;
  /** Import limit, kW. */
  readonly gimp: number;
  /** Export limit, kW. */
  readonly gexp: number;
}

export interface CommunityNetwork {
  readonly network: Network;
  /** The one net, "community". */
  readonly netId: string;
  /** The grid connection, "grid". */
  readonly gridId: string;
  /** Device ids per house: `load-<h>`, `battery-<h>`. */
  readonly houses: readonly { readonly loadId: string; readonly batteryId: string }[];
}

/** Builds the network of a community instance (parsed JSON), checking its shape. */
export function communityNetwork(instance: unknown): CommunityNetwork {
  const inst = checkInstance(instance);
  const horizon = { slots: inst.T, slotHours: inst.dt };
  const builder = new NetworkBuilder(horizon).addNet('community');
  const houses: { loadId: string; batteryId: string }[] = [];
  for (let h = 0; h < inst.H; h++) {
    const loadId = `load-${h}`;
    const batteryId = `battery-${h}`;
    builder.addDevice(new FixedLoad(loadId, { powerKw: inst.net_load[h]! }, horizon), ['community']);
    builder.addDevice(
      new Battery(
        batteryId,
        {
          capacityKwh: inst.smax[h]!,
          maxChargeKw: inst.cmax[h]!,
          maxDischargeKw: inst.dmax[h]!,
          chargeEfficiency: inst.eta_c,
          dischargeEfficiency: inst.eta_d,
          initialSocKwh: inst.s0[h]!,
          wearCostPerKwh: inst.kappa,
        },
        horizon,
      ),
      ['community'],
    );
    houses.push({ loadId, batteryId });
  }
  builder.addDevice(
    new GridConnection(
      'grid',
      { importPrice: inst.pi_buy, exportPrice: inst.pi_sell, quadraticCost: inst.a, importLimitKw: inst.gimp, exportLimitKw: inst.gexp },
      horizon,
    ),
    ['community'],
  );
  return { network: builder.build(), netId: 'community', gridId: 'grid', houses };
}

function checkInstance(value: unknown): CommunityInstance {
  const fail = (field: string, problem: string): never => {
    throw new AggregatorError(AggregatorErrorCode.INVALID_INSTANCE, `community instance: ${field} ${problem}`, { field });
  };
  if (typeof value !== 'object' || value === null) return fail('root', 'must be an object');
  const v = value as Record<string, unknown>;
  const int = (field: string): number => {
    const x = v[field];
    return typeof x === 'number' && Number.isInteger(x) && x > 0 ? x : fail(field, 'must be a positive integer');
  };
  const num = (field: string): number => {
    const x = v[field];
    return typeof x === 'number' && Number.isFinite(x) ? x : fail(field, 'must be a finite number');
  };
  const list = (field: string, length: number): readonly number[] => {
    const x = v[field];
    if (!Array.isArray(x) || x.length !== length) return fail(field, `must be an array of ${length} numbers`);
    return x as number[];
  };
  const H = int('H');
  const T = int('T');
  num('dt');
  const rows = v.net_load;
  if (!Array.isArray(rows) || rows.length !== H) fail('net_load', `must have ${H} rows`);
  (rows as unknown[]).forEach((row, h) => {
    if (!Array.isArray(row) || row.length !== T) fail(`net_load[${h}]`, `must have ${T} values`);
  });
  for (const field of ['smax', 'cmax', 'dmax', 's0']) list(field, H);
  list('pi_buy', T);
  for (const field of ['eta_c', 'eta_d', 'kappa', 'pi_sell', 'a', 'gimp', 'gexp']) num(field);
  return value as CommunityInstance;
}
