import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import type { Network } from './Network.js';
import { networkFromSpec, type DeviceSpec, type NetworkSpec } from './networkFromSpec.js';

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
  const spec = communityNetworkSpec(instance);
  const houses = Array.from({ length: (spec.devices.length - 1) / 2 }, (_, h) => ({ loadId: `load-${h}`, batteryId: `battery-${h}` }));
  return { network: networkFromSpec(spec), netId: 'community', gridId: 'grid', houses };
}

/** The same network as plain data, e.g. for ParallelAdmmEngine.create. */
export function communityNetworkSpec(instance: unknown): NetworkSpec {
  const inst = checkInstance(instance);
  const devices: DeviceSpec[] = [];
  for (let h = 0; h < inst.H; h++) {
    devices.push({ kind: 'fixed-load', id: `load-${h}`, parameters: { powerKw: inst.net_load[h]! }, nets: ['community'] });
    devices.push({
      kind: 'battery',
      id: `battery-${h}`,
      parameters: {
        capacityKwh: inst.smax[h]!,
        maxChargeKw: inst.cmax[h]!,
        maxDischargeKw: inst.dmax[h]!,
        chargeEfficiency: inst.eta_c,
        dischargeEfficiency: inst.eta_d,
        initialSocKwh: inst.s0[h]!,
        wearCostPerKwh: inst.kappa,
      },
      nets: ['community'],
    });
  }
  devices.push({
    kind: 'grid-connection',
    id: 'grid',
    parameters: { importPrice: inst.pi_buy, exportPrice: inst.pi_sell, quadraticCost: inst.a, importLimitKw: inst.gimp, exportLimitKw: inst.gexp },
    nets: ['community'],
  });
  return { horizon: { slots: inst.T, slotHours: inst.dt }, nets: [{ id: 'community' }], devices };
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
