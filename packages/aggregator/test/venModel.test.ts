import { AdmmEngine, AggregatorError, Battery, communityNetworkSpec, FixedLoad, negotiationNetwork, VenModel, memberDevices, type MemberDeviceSpec, type NegotiationMember } from '../src/index.js';
import instance from './fixtures/community-39.instance.json';

const horizon = { slots: instance.T, slotHours: instance.dt };
const connection = { importPrice: instance.pi_buy, exportPrice: instance.pi_sell, quadraticCost: instance.a, importLimitKw: instance.gimp, exportLimitKw: instance.gexp };

// The instance's houses as the aggregator lays them out: load-h then battery-h, the grid last.
const instanceDevices = communityNetworkSpec(instance).devices;

function house(h: number, extra: MemberDeviceSpec[] = []): NegotiationMember {
  return {
    id: `house-${h}`,
    devices: [
      { kind: 'fixed-load', id: 'load', parameters: instanceDevices[2 * h]!.parameters },
      { kind: 'battery', id: 'battery', parameters: instanceDevices[2 * h + 1]!.parameters },
      ...extra,
    ],
  };
}

const ev: MemberDeviceSpec = {
  kind: 'electric-vehicle',
  id: 'ev',
  parameters: { capacityKwh: 40, initialSocKwh: 10, requiredSocKwh: 30, arrivalSlot: 0, departureSlot: 30, maxChargeKw: 7.4 },
};
const heatPump: MemberDeviceSpec = {
  kind: 'heat-pump',
  id: 'heat-pump',
  parameters: { maxPowerKw: 3, cop: 3.5, thermalCapacityKwhPerK: 10, heatLossKwPerK: 0.25, initialTempC: 20, minTempC: 19, maxTempC: 22, outdoorTempC: 4 },
};

/** Runs the members over RemoteTerminals, each answering with its own VenModel, to tolerance. */
function negotiateRemotely(members: readonly NegotiationMember[], tolerance: number) {
  const remote = negotiationNetwork(horizon, { connection }, members.map((m) => ({ id: m.id })));
  const engine = new AdmmEngine(remote.network);
  const models = new Map(members.map((m) => [m.id, new VenModel(memberDevices(m, horizon))]));
  let converged = false;
  while (!converged && engine.iteration < 3000) {
    for (const [id, model] of models) engine.submitProfile(id, model.respond(engine.incentive(id)));
    converged = engine.converged(engine.step(), tolerance);
  }
  let objective = engine.objective();
  for (const model of models.values()) objective += model.cost();
  return { engine, models, converged, objective };
}

describe('VenModel', () => {
  test('VENs answering with warm-started models reach the in-process objective of the same instance within 0.1%', () => {
    const members = Array.from({ length: 12 }, (_, h) => house(h));
    const inProcess = new AdmmEngine(negotiationNetwork(horizon, { connection }, members).network);
    expect(inProcess.run({ tolerance: 1e-4 }).converged).toBe(true);
    const remote = negotiateRemotely(members, 1e-4);
    expect(remote.converged).toBe(true);
    expect(Math.abs(remote.objective - inProcess.objective()) / Math.abs(inProcess.objective())).toBeLessThan(1e-3);
    const prices = inProcess.prices('community');
    remote.engine.prices('community').forEach((p, t) => expect(Math.abs(p - prices[t]!)).toBeLessThan(2e-3));
  });

  test('houses with a battery, an EV and a heat pump answer through a persistent local engine and agree with the in-process optimum', () => {
    const members = Array.from({ length: 4 }, (_, h) => house(h, h % 2 === 0 ? [ev, heatPump] : [heatPump]));
    const inProcess = new AdmmEngine(negotiationNetwork(horizon, { connection }, members).network);
    expect(inProcess.run({ tolerance: 1e-4, maxIterations: 20_000 }).converged).toBe(true);
    const remote = negotiateRemotely(members, 1e-4);
    expect(remote.converged).toBe(true);
    expect(Math.abs(remote.objective - inProcess.objective()) / Math.abs(inProcess.objective())).toBeLessThan(2e-3);
    for (const [id, model] of remote.models) {
      const schedules = model.schedules();
      expect([...schedules.keys()].sort()).toEqual(members.find((m) => m.id === id)!.devices!.map((d) => d.id).sort());
      for (const device of model.devices) expect(device.violation(schedules.get(device.id)!)).toBeLessThan(1e-6);
    }
  });

  test('bad devices and incentives are refused with typed errors', () => {
    const load = new FixedLoad('load', { powerKw: 1 }, horizon);
    const battery = new Battery('battery', { capacityKwh: 5, maxChargeKw: 2, maxDischargeKw: 2, initialSocKwh: 2 }, horizon);
    expect(() => new VenModel([])).toThrow(AggregatorError);
    expect(() => new VenModel([load, new FixedLoad('load', { powerKw: 2 }, horizon)])).toThrow(/appears twice/);
    expect(() => new VenModel([load, new FixedLoad('other', { powerKw: 1 }, { slots: 4, slotHours: 1 })])).toThrow(/another horizon/);
    expect(() => new VenModel([battery], { passes: 0 })).toThrow(/passes/);
    expect(() => new VenModel([battery], { localIterations: 1.5 })).toThrow(/localIterations/);
    const model = new VenModel([load, battery]);
    const setpoint = new Float64Array(horizon.slots);
    expect(() => model.respond({ rho: 0, setpoint })).toThrow(/rho/);
    expect(() => model.respond({ rho: 1, setpoint: [1, 2] })).toThrow(/values/);
    expect(() => model.respond({ rho: 1, setpoint: setpoint.map((_, t) => (t === 3 ? Number.NaN : 0)) })).toThrow(/slot 3/);
    // A fixed load alone answers itself whatever the incentive.
    expect(Array.from(new VenModel([load]).respond({ rho: 1, setpoint }))).toEqual(Array.from(load.power));
  });

  test('negotiationNetwork puts the grid behind a transformer when one is given and refuses duplicate members', () => {
    const members = [house(0), house(1)];
    const withTransformer = negotiationNetwork(horizon, { connection, transformerKw: 5 }, members);
    expect(withTransformer.gridNetId).toBe('upstream');
    expect(withTransformer.transformerId).toBe('transformer');
    expect(withTransformer.memberDevices.get('house-1')).toEqual(['house-1/load', 'house-1/battery']);
    expect(() => negotiationNetwork(horizon, { connection }, [house(0), house(0)])).toThrow(/appears twice/);
    expect(() => negotiationNetwork(horizon, { connection }, [])).toThrow(AggregatorError);
  });
});
