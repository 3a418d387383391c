import fc from 'fast-check';
import {
  CurtailableGeneration,
  CurtailableLoad,
  DeferrableLoad,
  ElectricVehicle,
  Generator,
  GridConnection,
  HeatPump,
  Line,
  TargetFollower,
  type Device,
} from '../src/index.js';
import { addSquare, emptyQp, solveDenseQp, type DenseQp } from './helpers/denseQp.js';

const T = 8;
const dt = 0.5;
const horizon = { slots: T, slotHours: dt };
const runs = { numRuns: 25, seed: 11 };

const vector = (min: number, max: number, length = T) => fc.array(fc.double({ min, max, noNaN: true }), { minLength: length, maxLength: length });
const rhoArb = fc.double({ min: 0.02, max: 2, noNaN: true });

/** Adds (rho/2)||p - v||^2 where p_t = sum_k coef_k x_{index_k(t)}. */
function addProxTerm(qp: DenseQp, rho: number, v: readonly number[], power: (t: number) => Record<number, number>): void {
  v.forEach((vt, t) => addSquare(qp, power(t), vt, rho));
}

function expectProx(device: Device, v: readonly number[], rho: number, reference: Float64Array, digits = 5): void {
  const out = new Float64Array(v.length);
  const input = Float64Array.from(v);
  if ('proxToTolerance' in device && typeof device.proxToTolerance === 'function') {
    (device.proxToTolerance as (v: Float64Array, rho: number, out: Float64Array) => void)(input, rho, out);
  } else device.prox(input, rho, out);
  for (let i = 0; i < v.length; i++) expect(out[i]).toBeCloseTo(reference[i]!, digits);
  expect(device.violation(out)).toBeLessThan(1e-6);
}

describe('each prox matches a dense QP solved by quadprog', () => {
  test('curtailable generation', () => {
    fc.assert(
      fc.property(vector(0, 5), vector(-8, 4), rhoArb, (avail, v, rho) => {
        const d = new CurtailableGeneration('pv', { availableKw: avail }, horizon);
        const qp = emptyQp(T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1 }));
        avail.forEach((a, t) => ((qp.lo[t] = -a), (qp.hi[t] = 0)));
        expectProx(d, v, rho, Float64Array.from(solveDenseQp(qp)));
      }),
      runs,
    );
  });

  test('curtailable load', () => {
    fc.assert(
      fc.property(vector(0, 5), vector(-3, 8), rhoArb, fc.double({ min: 0, max: 1, noNaN: true }), (demand, v, rho, penalty) => {
        const d = new CurtailableLoad('load', { demandKw: demand, curtailmentCostPerKwh: penalty }, horizon);
        const qp = emptyQp(T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1 }));
        demand.forEach((l, t) => ((qp.c[t]! -= dt * penalty), (qp.lo[t] = 0), (qp.hi[t] = l)));
        expectProx(d, v, rho, Float64Array.from(solveDenseQp(qp)));
      }),
      runs,
    );
  });

  test('target follower', () => {
    fc.assert(
      fc.property(vector(-3, 3), vector(-5, 5), rhoArb, fc.double({ min: 0.01, max: 3, noNaN: true }), (target, v, rho, w) => {
        const d = new TargetFollower('fhp', { targetKw: target, weight: w, minKw: -2, maxKw: 2.5 }, horizon);
        const qp = emptyQp(T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1 }));
        target.forEach((tau, t) => {
          addSquare(qp, { [t]: 1 }, tau, dt * w);
          qp.lo[t] = -2;
          qp.hi[t] = 2.5;
        });
        expectProx(d, v, rho, Float64Array.from(solveDenseQp(qp)));
      }),
      runs,
    );
  });

  test('grid connection', () => {
    fc.assert(
      fc.property(vector(0.1, 0.4), vector(-30, 30), rhoArb, fc.double({ min: 0, max: 0.05, noNaN: true }), (buy, v, rho, a) => {
        const d = new GridConnection('grid', { importPrice: buy, exportPrice: 0.05, quadraticCost: a, importLimitKw: 20, exportLimitKw: 15 }, horizon);
        // x = [gp (import), gm (export)], p = gm - gp
        const qp = emptyQp(2 * T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: -1, [T + t]: 1 }));
        buy.forEach((price, t) => {
          qp.c[t]! += dt * price;
          qp.c[T + t]! -= dt * 0.05;
          qp.Q[t]![t]! += dt * a;
          qp.Q[T + t]![T + t]! += dt * a;
          qp.lo[t] = 0;
          qp.hi[t] = 20;
          qp.lo[T + t] = 0;
          qp.hi[T + t] = 15;
        });
        const x = solveDenseQp(qp);
        expectProx(d, v, rho, Float64Array.from({ length: T }, (_, t) => x[T + t]! - x[t]!));
      }),
      runs,
    );
  });

  test('line', () => {
    fc.assert(
      fc.property(vector(-10, 10, 2 * T), rhoArb, (v, rho) => {
        const d = new Line('line', { capacityKw: 4 }, horizon);
        const qp = emptyQp(2 * T);
        v.forEach((vt, i) => addSquare(qp, { [i]: 1 }, vt, rho));
        for (let t = 0; t < T; t++) {
          const row = new Array<number>(2 * T).fill(0);
          row[t] = 1;
          row[T + t] = 1;
          qp.eq.push({ row, rhs: 0 });
          qp.lo[t] = -4;
          qp.hi[t] = 4;
        }
        expectProx(d, v, rho, Float64Array.from(solveDenseQp(qp)));
      }),
      runs,
    );
  });

  test('deferrable load', () => {
    fc.assert(
      // quadprog reports degenerate (energy 0 or full) windows as inconsistent; those have their own test.
      fc.property(vector(-4, 4), rhoArb, fc.double({ min: 0.05, max: 0.95, noNaN: true }), (v, rho, share) => {
        const [start, deadline, pmax] = [2, 7, 3];
        const energy = share * pmax * dt * (deadline - start);
        const d = new DeferrableLoad('wash', { energyKwh: energy, maxPowerKw: pmax, startSlot: start, deadlineSlot: deadline }, horizon);
        const qp = emptyQp(T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1 }));
        const row = new Array<number>(T).fill(0);
        for (let t = 0; t < T; t++) {
          const inside = t >= start && t < deadline;
          qp.lo[t] = 0;
          qp.hi[t] = inside ? pmax : 0;
          if (inside) row[t] = dt;
        }
        qp.eq.push({ row, rhs: energy });
        expectProx(d, v, rho, Float64Array.from(solveDenseQp(qp)));
      }),
      runs,
    );
  });

  test('generator without ramps (closed form) and with ramps (banded solver)', () => {
    fc.assert(
      fc.property(vector(-12, 4), rhoArb, fc.double({ min: 0.001, max: 0.1, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.boolean(), (v, rho, alpha, beta, ramped) => {
        const params = { minKw: 1, maxKw: 10, quadraticCost: alpha, linearCost: beta, ...(ramped ? { rampUpKw: 1.5, rampDownKw: 2, initialOutputKw: 4 } : {}) };
        const d = new Generator('gen', params, horizon);
        // x = g, p = -g
        const qp = emptyQp(T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: -1 }));
        for (let t = 0; t < T; t++) {
          qp.Q[t]![t]! += 2 * dt * alpha;
          qp.c[t]! += dt * beta;
          qp.lo[t] = 1;
          qp.hi[t] = 10;
          if (ramped) {
            const up = new Array<number>(T).fill(0);
            const down = new Array<number>(T).fill(0);
            up[t] = -1;
            down[t] = 1;
            if (t > 0) {
              up[t - 1] = 1;
              down[t - 1] = -1;
            }
            qp.ge.push({ row: up, rhs: -1.5 - (t === 0 ? 4 : 0) });
            qp.ge.push({ row: down, rhs: -2 + (t === 0 ? 4 : 0) });
          }
        }
        const g = solveDenseQp(qp);
        expectProx(d, v, rho, Float64Array.from(g, (x) => -x), 4);
      }),
      runs,
    );
  });

  test('heat pump (banded solver)', () => {
    fc.assert(
      fc.property(vector(-2, 5), rhoArb, vector(-5, 10), (v, rho, outdoor) => {
        const P = { maxPowerKw: 3, cop: 3, thermalCapacityKwhPerK: 2, heatLossKwPerK: 0.2, initialTempC: 20 };
        const d = new HeatPump('hp', { ...P, minTempC: 19, maxTempC: 22, outdoorTempC: outdoor }, horizon);
        // x = [p, theta]
        const qp = emptyQp(2 * T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1 }));
        const leak = (dt * P.heatLossKwPerK) / P.thermalCapacityKwhPerK;
        for (let t = 0; t < T; t++) {
          qp.lo[t] = 0;
          qp.hi[t] = 3;
          qp.lo[T + t] = 19;
          qp.hi[T + t] = 22;
          const row = new Array<number>(2 * T).fill(0);
          row[T + t] = 1;
          if (t > 0) row[T + t - 1] = -(1 - leak);
          row[t] = -(dt * P.cop) / P.thermalCapacityKwhPerK;
          qp.eq.push({ row, rhs: leak * outdoor[t]! + (t === 0 ? (1 - leak) * 20 : 0) });
        }
        const x = solveDenseQp(qp);
        expectProx(d, v, rho, Float64Array.from(x.slice(0, T)), 4);
      }),
      runs,
    );
  });

  test('electric vehicle (banded solver)', () => {
    fc.assert(
      fc.property(vector(-4, 8), rhoArb, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), (v, rho, share, v2g) => {
        const P = { capacityKwh: 20, initialSocKwh: 4, arrivalSlot: 1, departureSlot: 7, maxChargeKw: 7, chargeEfficiency: 0.9, maxDischargeKw: v2g ? 3 : 0 };
        const required = 4 + share * (20 - 4);
        const d = new ElectricVehicle('ev', { ...P, requiredSocKwh: required }, horizon);
        // x = [c, d, s]
        const qp = emptyQp(3 * T);
        addProxTerm(qp, rho, v, (t) => ({ [t]: 1, [T + t]: -1 }));
        for (let t = 0; t < T; t++) {
          const inside = t >= 1 && t < 7;
          qp.lo[t] = 0;
          qp.hi[t] = inside ? 7 : 0;
          qp.lo[T + t] = 0;
          qp.hi[T + t] = inside ? P.maxDischargeKw : 0;
          qp.lo[2 * T + t] = t === 6 ? required : 0;
          qp.hi[2 * T + t] = 20;
          const row = new Array<number>(3 * T).fill(0);
          row[2 * T + t] = 1;
          if (t > 0) row[2 * T + t - 1] = -1;
          row[t] = -dt * 0.9;
          row[T + t] = dt;
          qp.eq.push({ row, rhs: t === 0 ? 4 : 0 });
        }
        const x = solveDenseQp(qp);
        expectProx(d, v, rho, Float64Array.from({ length: T }, (_, t) => x[t]! - x[T + t]!), 4);
      }),
      runs,
    );
  });

  test('deferrable load at the edges: no energy, and every slot at full power', () => {
    const v = Float64Array.from([3, -1, 2, 0.5, -4, 8, 1, 1]);
    const out = new Float64Array(T);
    new DeferrableLoad('none', { energyKwh: 0, maxPowerKw: 3, startSlot: 2, deadlineSlot: 7 }, horizon).prox(v, 1, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    new DeferrableLoad('full', { energyKwh: 7.5, maxPowerKw: 3, startSlot: 2, deadlineSlot: 7 }, horizon).prox(v, 1, out);
    expect(Array.from(out)).toEqual([0, 0, 3, 3, 3, 3, 3, 0]);
  });
});
