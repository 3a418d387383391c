import {
  AdmmEngine,
  Battery,
  CurtailableGeneration,
  DeferrableLoad,
  FixedLoad,
  GridConnection,
  Line,
  localResponse,
  NetworkBuilder,
  RemoteTerminal,
  communityNetwork,
  type Device,
} from '../src/index.js';
import { addSquare, emptyQp, solveDenseQp } from './helpers/denseQp.js';
import instance from './fixtures/community-39.instance.json';
import solution from './fixtures/community-39.solution.json';

const oraclePrices = solution.price_eur_per_kwh;

function maxPriceError(prices: Float64Array): number {
  let worst = 0;
  oraclePrices.forEach((p, t) => (worst = Math.max(worst, Math.abs(prices[t]! - p))));
  return worst;
}

describe('AdmmEngine', () => {
  test('a VTN driving remote VEN terminals reaches the optimum of the same houses solved in-process', () => {
    const H = 8;
    const horizon = { slots: instance.T, slotHours: instance.dt };
    const houseDevices = (h: number): Device[] => [
      new FixedLoad(`load-${h}`, { powerKw: instance.net_load[h]! }, horizon),
      new Battery(
        `battery-${h}`,
        {
          capacityKwh: instance.smax[h]!,
          maxChargeKw: instance.cmax[h]!,
          maxDischargeKw: instance.dmax[h]!,
          chargeEfficiency: instance.eta_c,
          dischargeEfficiency: instance.eta_d,
          initialSocKwh: instance.s0[h]!,
          wearCostPerKwh: instance.kappa,
        },
        horizon,
      ),
    ];
    const grid = (): GridConnection =>
      new GridConnection('grid', { importPrice: instance.pi_buy, exportPrice: instance.pi_sell, quadraticCost: 0.05 / H, importLimitKw: H, exportLimitKw: 2 * H }, horizon);

    const local = new NetworkBuilder(horizon).addNet('community');
    for (let h = 0; h < H; h++) for (const device of houseDevices(h)) local.addDevice(device, ['community']);
    local.addDevice(grid(), ['community']);
    const reference = new AdmmEngine(local.build());
    expect(reference.run({ tolerance: 1e-5 }).converged).toBe(true);

    const remote = new NetworkBuilder(horizon).addNet('community');
    const vens = Array.from({ length: H }, (_, h) => ({ id: `ven-${h}`, devices: houseDevices(h) }));
    for (const ven of vens) remote.addDevice(new RemoteTerminal(ven.id, horizon), ['community']);
    remote.addDevice(grid(), ['community']);
    const engine = new AdmmEngine(remote.build());
    let converged = false;
    for (let k = 0; k < 3000 && !converged; k++) {
      for (const ven of vens) engine.submitProfile(ven.id, localResponse(ven.devices, engine.incentive(ven.id)));
      converged = engine.converged(engine.step(), 1e-5);
    }
    expect(converged).toBe(true);
    const expected = reference.prices('community');
    engine.prices('community').forEach((p, t) => expect(Math.abs(p - expected[t]!)).toBeLessThan(1e-3));
    expect(engine.profile('grid').every((p, t) => Math.abs(p - reference.profile('grid')[t]!) < 1e-2)).toBe(true);
  });

  test('localResponse with several flexible devices equals the prox of their aggregate', () => {
    const horizon = { slots: 6, slotHours: 1 };
    const pv = new CurtailableGeneration('pv', { availableKw: [0, 1, 3, 4, 2, 0] }, horizon);
    const job = new DeferrableLoad('job', { energyKwh: 5, maxPowerKw: 2, startSlot: 1, deadlineSlot: 5 }, horizon);
    const load = new FixedLoad('base', { powerKw: 0.5 }, horizon);
    const setpoint = [1, -2, 0.5, -3, 2, 1];
    const price = [0.1, 0.2, 0.05, 0.3, 0.1, 0.2];
    const rho = 0.4;
    const response = localResponse([pv, job, load], { rho, setpoint, price });
    // x = [pv (6), job (6)], p = pv + job + 0.5
    const qp = emptyQp(12);
    for (let t = 0; t < 6; t++) {
      addSquare(qp, { [t]: 1, [6 + t]: 1 }, setpoint[t]! - price[t]! / rho - 0.5, rho);
      qp.lo[t] = -pv.available[t]!;
      qp.hi[t] = 0;
      qp.lo[6 + t] = 0;
      qp.hi[6 + t] = t >= 1 && t < 5 ? 2 : 0;
    }
    qp.eq.push({ row: [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0], rhs: 5 });
    const x = solveDenseQp(qp);
    for (let t = 0; t < 6; t++) expect(response[t]).toBeCloseTo(x[t]! + x[6 + t]! + 0.5, 4);
  });

  test('a warm start from earlier prices converges in fewer iterations', () => {
    const cold = new AdmmEngine(communityNetwork(instance).network);
    const coldRun = cold.run({ tolerance: 1e-3 });
    const warm = new AdmmEngine(communityNetwork(instance).network, { initialPrices: { community: oraclePrices } });
    const warmRun = warm.run({ tolerance: 1e-3 });
    expect(warmRun.converged).toBe(true);
    expect(warmRun.iterations).toBeLessThan(coldRun.iterations);
    expect(maxPriceError(warm.prices('community'))).toBeLessThan(5e-3);
  });

  test('nested nets: a congested service line separates the house price from the feeder price', () => {
    const horizon = { slots: 4, slotHours: 1 };
    const builder = new NetworkBuilder(horizon).addNet('feeder').addNet('house-a', { parent: 'feeder' }).addNet('house-b', { parent: 'feeder' });
    builder.addDevice(new GridConnection('grid', { importPrice: 0.3, exportPrice: 0.05, quadraticCost: 0.01, importLimitKw: 50, exportLimitKw: 50 }, horizon), ['feeder']);
    builder.addDevice(new Line('line-a', { capacityKw: 2 }, horizon), ['feeder', 'house-a']);
    builder.addDevice(new FixedLoad('load-a', { powerKw: 1 }, horizon), ['house-a']);
    builder.addDevice(new CurtailableGeneration('pv-a', { availableKw: [0, 5, 5, 0] }, horizon), ['house-a']);
    builder.addDevice(new Line('line-b', { capacityKw: 10 }, horizon), ['feeder', 'house-b']);
    builder.addDevice(new FixedLoad('load-b', { powerKw: 2 }, horizon), ['house-b']);
    const network = builder.build();
    // House a's devices and net sit together, after the feeder's own devices.
    expect(network.netIds).toEqual(['feeder', 'house-a', 'house-b']);
    expect(network.devices.map((d) => d.id)).toEqual(['grid', 'line-a', 'load-a', 'pv-a', 'line-b', 'load-b']);
    const engine = new AdmmEngine(network, { rho: 0.1 });
    const result = engine.run({ tolerance: 1e-6, maxIterations: 20_000 });
    expect(result.converged).toBe(true);
    const feeder = engine.prices('feeder');
    const houseA = engine.prices('house-a');
    // Slot 0: no sun, everything imported at 0.3 + a * import; slot 1: house a's surplus is capped by its line.
    expect(feeder[0]).toBeCloseTo(0.3 + 0.01 * 3, 3);
    expect(houseA[0]).toBeCloseTo(feeder[0]!, 3);
    expect(houseA[1]).toBeCloseTo(0, 3);
    expect(feeder[1]).toBeGreaterThan(0.04);
    const certificate = engine.certificate();
    expect(certificate.maxViolation).toBeLessThan(1e-6);
    expect(Math.abs(certificate.gap)).toBeLessThan(1e-3);
  });

  test('step() reports residuals that run() stops on, and prices do not jump when rho adapts', () => {
    const engine = new AdmmEngine(communityNetwork(instance).network);
    let previous = engine.prices('community');
    let worstJump = 0;
    for (let k = 0; k < 200; k++) {
      const report = engine.step();
      expect(Number.isFinite(report.relativePrimal) && Number.isFinite(report.relativeDual)).toBe(true);
      const prices = engine.prices('community');
      if (k > 100) prices.forEach((p, t) => (worstJump = Math.max(worstJump, Math.abs(p - previous[t]!))));
      previous = prices;
    }
    expect(worstJump).toBeLessThan(0.05);
    expect(engine.iteration).toBe(200);
  });
});
