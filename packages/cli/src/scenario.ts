import { readFileSync } from 'node:fs';
import { AggregatorError, communityNetworkSpec, memberDevices, negotiationNetwork, type CommunityInstance, type GridConnectionParameters, type GridModel, type MemberDeviceSpec } from '@oadr-kit/aggregator';
import { CliUsageError } from './CliError.js';

/** One VEN of a scenario: its name (oadrVenName) and its private devices. */
export interface ScenarioVen {
  readonly name: string;
  readonly devices: readonly MemberDeviceSpec[];
}

/**
 * A negotiation scenario: the VTN's side (grid connection, optional transformer) and the VENs with
 * their devices. `oadr ven` runs the VENs, `oadr negotiate` and `oadr demo` the whole negotiation.
 */
export interface NegotiationScenario {
  readonly name: string;
  readonly description?: string;
  readonly horizon: { readonly slots: number; readonly slotMinutes: number };
  /** ISO 4217 code of every price (default EUR). */
  readonly currency?: string;
  readonly grid: GridConnectionParameters & { readonly transformerKw?: number };
  /**
   * The connection one VEN would have on its own, for the "every house optimising alone" comparison
   * (import/export prices and quadratic cost; no shared limit). Without it no comparison is made.
   */
  readonly aloneConnection?: GridConnectionParameters;
  readonly vens: readonly ScenarioVen[];
  /** Defaults of the session: tolerance (1e-3), initial rho (the engine's), round deadline (ms), max rounds. */
  readonly negotiation?: { readonly tolerance?: number; readonly rho?: number; readonly roundDeadlineMs?: number; readonly maxRounds?: number };
}

/** The horizon in the aggregator's terms. */
export function scenarioHorizon(scenario: NegotiationScenario): { slots: number; slotHours: number } {
  return { slots: scenario.horizon.slots, slotHours: scenario.horizon.slotMinutes / 60 };
}

/** The VTN's side of the net: the grid connection and its transformer, apart. */
export function gridModelOf(grid: NegotiationScenario['grid']): GridModel {
  const { transformerKw, ...connection } = grid;
  return { connection, ...(transformerKw === undefined ? {} : { transformerKw }) };
}

/** Reads and checks a scenario file; every problem is one line naming the field. */
export function readScenarioFile(path: string, command: string): NegotiationScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`${command}: cannot read scenario ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliUsageError(`${command}: scenario ${path} is not JSON: ${(error as Error).message}`);
  }
  return checkScenario(value, `${command}: scenario ${path}`);
}

/**
 * Checks a scenario's shape, then builds its whole network once (devices by the aggregator's own
 * parameter checks), so a bad device fails here with its VEN and field named, not mid-negotiation.
 */
export function checkScenario(value: unknown, where: string): NegotiationScenario {
  const fail = (field: string, problem: string): never => {
    throw new CliUsageError(`${where}: ${field} ${problem}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('root', 'must be an object');
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || v.name === '') fail('name', 'must be a non-empty string');
  const horizon = v.horizon as Record<string, unknown> | undefined;
  if (typeof horizon !== 'object' || horizon === null) return fail('horizon', 'must be an object with slots and slotMinutes');
  if (!(Number.isInteger(horizon.slots) && (horizon.slots as number) > 0)) fail('horizon.slots', 'must be a positive whole number');
  if (!(typeof horizon.slotMinutes === 'number' && horizon.slotMinutes > 0 && Number.isInteger(horizon.slotMinutes * 60))) fail('horizon.slotMinutes', 'must be a positive whole number of seconds, in minutes');
  if (typeof v.grid !== 'object' || v.grid === null) fail('grid', 'must be an object (a grid connection, optionally with transformerKw)');
  if (!Array.isArray(v.vens) || v.vens.length === 0) return fail('vens', 'must list at least one VEN');
  const names = new Set<string>();
  (v.vens as unknown[]).forEach((ven, i) => {
    const entry = ven as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null) return fail(`vens[${i}]`, 'must be an object with name and devices');
    if (typeof entry.name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(entry.name)) fail(`vens[${i}].name`, 'must be 1-64 letters, digits, ".", "_" or "-"');
    if (names.has(entry.name as string)) fail(`vens[${i}].name`, `"${String(entry.name)}" is used twice`);
    names.add(entry.name as string);
    if (!Array.isArray(entry.devices) || entry.devices.length === 0) fail(`vens[${i}].devices`, 'must list at least one device');
    return undefined;
  });
  const scenario = value as NegotiationScenario;
  try {
    negotiationNetwork(
      scenarioHorizon(scenario),
      gridModelOf(scenario.grid),
      scenario.vens.map((ven) => ({ id: ven.name, devices: ven.devices })),
    );
    if (scenario.aloneConnection !== undefined) negotiationNetwork(scenarioHorizon(scenario), { connection: scenario.aloneConnection }, [{ id: 'alone', devices: [] }]);
  } catch (error) {
    if (error instanceof AggregatorError) throw new CliUsageError(`${where}: ${error.deviceId === undefined ? 'grid: ' : ''}${error.message}`);
    throw error;
  }
  return scenario;
}

/** The devices of one VEN, built for its own use (ids as in the scenario). */
export function scenarioVenDevices(scenario: NegotiationScenario, ven: ScenarioVen) {
  return memberDevices({ id: ven.name, devices: ven.devices }, scenarioHorizon(scenario));
}

/** Every 4th house (from the 2nd) has an EV, every 5th (from the 3rd) a heat pump; the rest is the instance's. */
const EV_EVERY = 4;
const HEAT_PUMP_EVERY = 5;

/**
 * The DRivE Woerden community as a scenario: the houses of a community instance (bench/oracle
 * instance.py: net load after PV and a battery each) plus, deterministically, some EVs plugged in
 * overnight and some heat pumps keeping 19-22 deg C on a cold day, behind one grid connection whose
 * transformer allows the instance's import limit.
 */
export function communityScenario(raw: unknown, options: { extras?: boolean } = {}): NegotiationScenario {
  // The aggregator's reader checks the instance (its AggregatorError names the field) and lays out each house's load and battery.
  const houses = communityNetworkSpec(raw).devices.filter((d) => d.kind !== 'grid-connection');
  const instance = raw as CommunityInstance;
  const extras = options.extras ?? true;
  const T = instance.T;
  const slotMinutes = instance.dt * 60;
  const hour = (t: number) => (t * slotMinutes) / 60;
  const outdoor = Array.from({ length: T }, (_, t) => Math.round((2 + 4 * Math.sin(((hour(t) - 9) / 24) * 2 * Math.PI)) * 10) / 10);
  const vens: ScenarioVen[] = Array.from({ length: instance.H }, (_, h) => {
    const devices: MemberDeviceSpec[] = [
      { kind: 'fixed-load', id: 'net-load', parameters: houses[2 * h]!.parameters },
      { kind: 'battery', id: 'battery', parameters: houses[2 * h + 1]!.parameters },
    ];
    if (extras && h % EV_EVERY === 1) {
      // Plugged in at midnight, leaves at 07:00 with 16-24 kWh more.
      devices.push({
        kind: 'electric-vehicle',
        id: 'ev',
        parameters: { capacityKwh: 50, initialSocKwh: 20, requiredSocKwh: 36 + (h % 3) * 4, arrivalSlot: 0, departureSlot: Math.round((7 * 60) / slotMinutes), maxChargeKw: 7.4, chargeEfficiency: 0.92 },
      });
    }
    if (extras && h % HEAT_PUMP_EVERY === 2) {
      devices.push({
        kind: 'heat-pump',
        id: 'heat-pump',
        parameters: { maxPowerKw: 3, cop: 3.2, thermalCapacityKwhPerK: 8, heatLossKwPerK: 0.15, initialTempC: 20.5, minTempC: 19, maxTempC: 22, outdoorTempC: outdoor },
      });
    }
    return { name: `house-${String(h + 1).padStart(2, '0')}`, devices };
  });
  return {
    name: `community-${instance.H}`,
    description: `${instance.H} houses of the DRivE Woerden community (PV, a battery each, ${vens.filter((v) => v.devices.some((d) => d.kind === 'electric-vehicle')).length} EVs, ${vens.filter((v) => v.devices.some((d) => d.kind === 'heat-pump')).length} heat pumps) behind one connection`,
    horizon: { slots: T, slotMinutes },
    currency: 'EUR',
    // The plain instance limits the connection itself; the demo puts the limit on a transformer, whose dual is the congestion price.
    grid: extras
      ? { importPrice: instance.pi_buy, exportPrice: instance.pi_sell, quadraticCost: instance.a, importLimitKw: instance.gimp * 2, exportLimitKw: instance.gexp * 2, transformerKw: instance.gimp }
      : { importPrice: instance.pi_buy, exportPrice: instance.pi_sell, quadraticCost: instance.a, importLimitKw: instance.gimp, exportLimitKw: instance.gexp },
    // instance.py scales the shared connection's quadratic term as a0/H; a house alone pays a0.
    aloneConnection: { importPrice: instance.pi_buy, exportPrice: instance.pi_sell, quadraticCost: instance.a * instance.H, importLimitKw: 1e4, exportLimitKw: 1e4 },
    vens,
    // A smaller initial rho than the engine's default suits this community: 105 rounds to 1e-3 instead of 190.
    negotiation: { tolerance: 1e-3, rho: 0.005 },
  };
}
