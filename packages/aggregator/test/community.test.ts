import { AdmmEngine, communityNetwork } from '../src/index.js';
import instance from './fixtures/community-39.instance.json';
import solution from './fixtures/community-39.solution.json';

describe('community-39 against the cvxopt oracle', () => {
  test('reaches the optimum within 0.1% and the prices within 1e-3 EUR/kWh at tolerance 1e-4', () => {
    const { network, netId } = communityNetwork(instance);
    const engine = new AdmmEngine(network);
    const result = engine.run({ tolerance: 1e-4, maxIterations: 5000 });
    const cert = engine.certificate();
    const prices = engine.prices(netId);
    let priceError = 0;
    solution.price_eur_per_kwh.forEach((p, t) => (priceError = Math.max(priceError, Math.abs(prices[t]! - p))));
    expect(result.converged).toBe(true);
    expect(Math.abs(cert.repairedObjective - solution.cost_eur) / solution.cost_eur).toBeLessThan(1e-3);
    expect(priceError).toBeLessThan(1e-3);
    expect(cert.maxViolation).toBeLessThan(1e-9);
    expect(cert.dualBound).toBeLessThanOrEqual(solution.cost_eur + 1e-6);
    expect(cert.relativeGap).toBeLessThan(5e-3);
    expect(Math.abs(engine.objective() - solution.cost_eur) / solution.cost_eur).toBeLessThan(5e-3);
  });
});
