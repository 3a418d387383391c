import fc from 'fast-check';
import { Battery } from '../src/devices/Battery.js';
import { addSquare, emptyQp, solveDenseQp } from './helpers/denseQp.js';

const horizon = { slots: 8, slotHours: 0.5 };

function referenceProx(b: Battery, v: Float64Array, rho: number): Float64Array {
  const P = b.parameters;
  const T = horizon.slots;
  const dt = horizon.slotHours;
  const qp = emptyQp(3 * T);
  for (let t = 0; t < T; t++) {
    addSquare(qp, { [t]: 1, [T + t]: -1 }, v[t]!, rho);
    qp.c[t]! += P.wearCostPerKwh * dt;
    qp.c[T + t]! += P.wearCostPerKwh * dt;
    qp.lo[t] = 0;
    qp.hi[t] = P.maxChargeKw;
    qp.lo[T + t] = 0;
    qp.hi[T + t] = P.maxDischargeKw;
    qp.lo[2 * T + t] = P.minSocKwh;
    qp.hi[2 * T + t] = P.capacityKwh;
    const row = new Array<number>(3 * T).fill(0);
    row[2 * T + t] = 1;
    if (t > 0) row[2 * T + t - 1] = -1;
    row[t] = -dt * P.chargeEfficiency;
    row[T + t] = dt / P.dischargeEfficiency;
    qp.eq.push({ row, rhs: t === 0 ? P.initialSocKwh : 0 });
  }
  qp.lo[3 * T - 1] = P.finalSocKwh;
  qp.hi[3 * T - 1] = P.finalSocKwh;
  const x = solveDenseQp(qp);
  return Float64Array.from({ length: T }, (_, t) => x[t]! - x[T + t]!);
}

describe('Battery', () => {
  test('prox matches a dense QP reference on random inputs', () => {
    fc.assert(
      fc.property(
        fc.record({
          capacity: fc.double({ min: 2, max: 14, noNaN: true }),
          rate: fc.double({ min: 0.5, max: 5, noNaN: true }),
          eta: fc.double({ min: 0.8, max: 1, noNaN: true }),
          start: fc.double({ min: 0.2, max: 0.8, noNaN: true }),
          wear: fc.double({ min: 0, max: 0.05, noNaN: true }),
          rho: fc.double({ min: 0.01, max: 1, noNaN: true }),
          v: fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 8, maxLength: 8 }),
        }),
        ({ capacity, rate, eta, start, wear, rho, v }) => {
          const b = new Battery(
            'bat',
            {
              capacityKwh: capacity,
              maxChargeKw: rate,
              maxDischargeKw: rate,
              chargeEfficiency: eta,
              dischargeEfficiency: eta,
              initialSocKwh: start * capacity,
              wearCostPerKwh: wear,
            },
            horizon,
          );
          const vv = Float64Array.from(v);
          const out = new Float64Array(horizon.slots);
          b.proxToTolerance(vv, rho, out);
          const ref = referenceProx(b, vv, rho);
          for (let t = 0; t < horizon.slots; t++) expect(out[t]).toBeCloseTo(ref[t]!, 5);
        },
      ),
      { numRuns: 40, seed: 4 },
    );
  });
});
