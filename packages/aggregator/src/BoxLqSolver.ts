import { boxedQuadraticMin, clip } from './Device.js';

/**
 * A device with one scalar state and up to two controls per slot:
 *   s_t = decay * s_{t-1} + gain0 * u0_t + gain1 * u1_t + offset_t,   s_{-1} = initialState
 *   cost  = sum_t (quad0/2) u0^2 + lin0_t u0 + (quad1/2) u1^2 + lin1_t u1 + (quadState/2) s^2 + linState_t s
 *   power p_t = out0 * u0_t + out1 * u1_t + outState * s_t
 * with every u0, u1, s boxed per slot. Battery, EV, heat pump and ramped generator are all this.
 * A device with one control sets gain1 = out1 = 0 and the box of u1 to [0, 0].
 */
export interface LqModel {
  readonly slots: number;
  readonly decay: number;
  readonly gain0: number;
  readonly gain1: number;
  readonly offset: Float64Array;
  readonly initialState: number;
  readonly quad0: number;
  readonly quad1: number;
  readonly quadState: number;
  readonly lin0: Float64Array;
  readonly lin1: Float64Array;
  readonly linState: Float64Array;
  readonly out0: number;
  readonly out1: number;
  readonly outState: number;
  readonly lo0: Float64Array;
  readonly hi0: Float64Array;
  readonly lo1: Float64Array;
  readonly hi1: Float64Array;
  readonly loState: Float64Array;
  readonly hiState: Float64Array;
  /** Penalty of the state copy relative to the controls' (about 1/gain^2 balances the two). */
  readonly stateWeight: number;
}

const RELAX = 1.6;

/**
 * Per-thread scratch shared by all solvers of a horizon length: the dynamics-exact iterate, the
 * inner targets and the linear terms of one Riccati pass live only within one solve (the warm
 * start is the boxed copy and its dual), and a city has hundreds of thousands of solvers, so they
 * are not worth a copy each.
 */
interface Scratch {
  readonly x: Float64Array;
  readonly zeta: Float64Array;
  readonly h: Float64Array;
  readonly gamma: Float64Array;
}
const scratches = new Map<number, Scratch>();
function scratchFor(T: number): Scratch {
  let s = scratches.get(T);
  if (s === undefined) {
    s = { x: new Float64Array(3 * T), zeta: new Float64Array(3 * T), h: new Float64Array(T), gamma: new Float64Array(2 * T) };
    scratches.set(T, s);
  }
  return s;
}

const zeroArrays = new Map<number, Float64Array>();
/** A shared all-zero array of length T for model fields that are zero; never written. */
export function sharedZeros(T: number): Float64Array {
  let z = zeroArrays.get(T);
  if (z === undefined) {
    z = new Float64Array(T);
    zeroArrays.set(T, z);
  }
  return z;
}

/**
 * Prox of an LqModel by an inner ADMM that splits "dynamics" from "boxes": each inner iteration
 * solves the box-free, dynamics-constrained quadratic exactly by a scalar Riccati recursion
 * (O(T), the banded structure of the KKT system), then projects onto the boxes. Gains depend only
 * on rho, so they are cached; the iterate and dual are kept between calls as a warm start.
 */
export class BoxLqSolver {
  readonly model: LqModel;
  /** Inner solution of the current solve (u0 | u1 | s, T each); satisfies the dynamics exactly. */
  private readonly x: Float64Array;
  private readonly z: Float64Array;
  private readonly w: Float64Array;
  private readonly zeta: Float64Array;
  private readonly h: Float64Array;
  private readonly gamma: Float64Array;
  private gains: Gains | undefined;

  constructor(model: LqModel) {
    this.model = model;
    const T = model.slots;
    this.z = new Float64Array(3 * T);
    this.w = new Float64Array(3 * T);
    const scratch = scratchFor(T);
    this.x = scratch.x;
    this.zeta = scratch.zeta;
    this.h = scratch.h;
    this.gamma = scratch.gamma;
    this.reset();
  }

  /** Takes over another solver's warm start (same model). */
  copyStateFrom(other: BoxLqSolver): void {
    this.z.set(other.z);
    this.w.set(other.w);
  }

  /** Forgets the warm start (a cold, box-feasible starting point). */
  reset(): void {
    const m = this.model;
    const T = m.slots;
    for (let t = 0; t < T; t++) {
      this.z[t] = clip(0, m.lo0[t]!, m.hi0[t]!);
      this.z[T + t] = clip(0, m.lo1[t]!, m.hi1[t]!);
      this.z[2 * T + t] = clip(m.initialState, m.loState[t]!, m.hiState[t]!);
    }
    this.w.fill(0);
  }

  /**
   * Runs `iterations` inner iterations of the prox at (v, rho) and writes p of the dynamics-exact
   * iterate to out. `withCosts = false` drops f, which turns the prox into a projection.
   * Returns the largest box violation of the iterate.
   */
  solve(v: Float64Array, rho: number, out: Float64Array, iterations: number, withCosts = true): number {
    const gains = this.prepare(rho, withCosts);
    const m = this.model;
    const T = m.slots;
    const { x, z, w, zeta } = this;
    const sigmaU = rho;
    const sigmaS = rho * m.stateWeight;
    for (let k = 0; k < iterations; k++) {
      for (let i = 0; i < 3 * T; i++) zeta[i] = z[i]! - w[i]!;
      this.solveDynamics(v, rho, sigmaU, sigmaS, withCosts, gains);
      for (let t = 0; t < T; t++) {
        this.boxStep(t, m.lo0[t]!, m.hi0[t]!);
        this.boxStep(T + t, m.lo1[t]!, m.hi1[t]!);
        this.boxStep(2 * T + t, m.loState[t]!, m.hiState[t]!);
      }
    }
    let worst = 0;
    for (let t = 0; t < T; t++) {
      out[t] = m.out0 * x[t]! + m.out1 * x[T + t]! + m.outState * x[2 * T + t]!;
      worst = Math.max(worst, boxExcess(x[t]!, m.lo0[t]!, m.hi0[t]!), boxExcess(x[T + t]!, m.lo1[t]!, m.hi1[t]!), boxExcess(x[2 * T + t]!, m.loState[t]!, m.hiState[t]!));
    }
    return worst;
  }

  /** Iterates until the box violation and the change of the boxed copy are below tol (or a cap). */
  solveToTolerance(v: Float64Array, rho: number, out: Float64Array, tol: number, maxIterations: number, withCosts = true): number {
    let violation = Infinity;
    const before = new Float64Array(this.z.length);
    for (let done = 0; done < maxIterations; done += 25) {
      before.set(this.z);
      violation = this.solve(v, rho, out, 25, withCosts);
      let change = 0;
      for (let i = 0; i < before.length; i++) change = Math.max(change, Math.abs(this.z[i]! - before[i]!));
      if (violation <= tol && change <= tol) break;
    }
    return violation;
  }

  /**
   * Solves the prox at (v, rho) to tolerance, then returns the Lagrangian bound
   * min f(u, s) + y'p + lambda'(dynamics residual) over the boxes with lambda the costate of that
   * solve: valid for any lambda, tight once the prox has converged at the price y.
   */
  lagrangianBound(v: Float64Array, rho: number, y: Float64Array, tol: number, maxIterations: number): number {
    this.solveToTolerance(v, rho, new Float64Array(v.length), tol, maxIterations);
    const qtot = this.prepare(rho, true).qtot;
    const m = this.model;
    const T = m.slots;
    const lambda = new Float64Array(T + 1);
    for (let t = T - 1; t >= 0; t--) {
      lambda[t] = m.decay * lambda[t + 1]! - (qtot * this.x[2 * T + t]! - this.h[t]!);
    }
    let bound = -lambda[0]! * m.decay * m.initialState;
    for (let t = 0; t < T; t++) {
      const lt = lambda[t]!;
      bound += boxedQuadraticMin(m.quad0, m.lin0[t]! + y[t]! * m.out0 - lt * m.gain0, m.lo0[t]!, m.hi0[t]!);
      bound += boxedQuadraticMin(m.quad1, m.lin1[t]! + y[t]! * m.out1 - lt * m.gain1, m.lo1[t]!, m.hi1[t]!);
      bound += boxedQuadraticMin(m.quadState, m.linState[t]! + y[t]! * m.outState + lt - m.decay * lambda[t + 1]!, m.loState[t]!, m.hiState[t]!);
      bound -= lt * m.offset[t]!;
    }
    return bound;
  }

  private boxStep(i: number, lo: number, hi: number): void {
    const relaxed = RELAX * this.x[i]! + (1 - RELAX) * this.z[i]!;
    const zi = clip(relaxed + this.w[i]!, lo, hi);
    this.w[i] = this.w[i]! + relaxed - zi;
    this.z[i] = zi;
  }

  /** The gains for this rho, shared with every solver of the same dynamics and costs. */
  private prepare(rho: number, withCosts: boolean): Gains {
    const g = this.gains;
    if (g !== undefined && g.rho === rho && g.withCosts === withCosts) return g;
    this.gains = gainsFor(this.model, rho, withCosts);
    return this.gains;
  }

  private solveDynamics(v: Float64Array, rho: number, sigmaU: number, sigmaS: number, withCosts: boolean, gains: Gains): void {
    const m = this.model;
    const T = m.slots;
    const c = withCosts ? 1 : 0;
    const { zeta, h, gamma, x } = this;
    const { riccatiP, minv, beta } = gains;
    const a = m.decay;
    const b0 = m.gain0;
    const b1 = m.gain1;
    for (let t = 0; t < T; t++) h[t] = -c * m.linState[t]! + sigmaS * zeta[2 * T + t]! + rho * m.outState * v[t]!;
    let q = h[T - 1]!;
    for (let t = T - 1; t >= 0; t--) {
      const P = riccatiP[t]!;
      const e = m.offset[t]!;
      const vt = v[t]!;
      const r0 = c * m.lin0[t]! - sigmaU * zeta[t]! - rho * m.out0 * vt;
      const r1 = c * m.lin1[t]! - sigmaU * zeta[T + t]! - rho * m.out1 * vt;
      const g0 = r0 + b0 * (P * e - q);
      const g1 = r1 + b1 * (P * e - q);
      gamma[2 * t] = g0;
      gamma[2 * t + 1] = g1;
      if (t > 0) {
        const i00 = minv[3 * t]!;
        const i01 = minv[3 * t + 1]!;
        const i11 = minv[3 * t + 2]!;
        const be0 = beta[2 * t]!;
        const be1 = beta[2 * t + 1]!;
        const cross = be0 * (i00 * g0 + i01 * g1) + be1 * (i01 * g0 + i11 * g1);
        q = h[t - 1]! + q * a - P * a * e + cross;
      }
    }
    let s = m.initialState;
    for (let t = 0; t < T; t++) {
      const i00 = minv[3 * t]!;
      const i01 = minv[3 * t + 1]!;
      const i11 = minv[3 * t + 2]!;
      const g0 = beta[2 * t]! * s + gamma[2 * t]!;
      const g1 = beta[2 * t + 1]! * s + gamma[2 * t + 1]!;
      const u0 = -(i00 * g0 + i01 * g1);
      const u1 = -(i01 * g0 + i11 * g1);
      s = a * s + b0 * u0 + b1 * u1 + m.offset[t]!;
      x[t] = u0;
      x[T + t] = u1;
      x[2 * T + t] = s;
    }
  }
}

function boxExcess(x: number, lo: number, hi: number): number {
  return x < lo ? lo - x : x > hi ? x - hi : 0;
}

/**
 * The exact set of states reachable slot by slot under the boxes (an interval, because the
 * dynamics are scalar and affine); returns the first slot where it is empty, or -1.
 */
export function firstUnreachableSlot(m: LqModel): number {
  let lo = m.initialState;
  let hi = m.initialState;
  for (let t = 0; t < m.slots; t++) {
    const [u0lo, u0hi] = scaledRange(m.gain0, m.lo0[t]!, m.hi0[t]!);
    const [u1lo, u1hi] = scaledRange(m.gain1, m.lo1[t]!, m.hi1[t]!);
    const [decLo, decHi] = scaledRange(m.decay, lo, hi);
    const tol = 1e-9 * (1 + Math.abs(m.hiState[t]!) + Math.abs(m.loState[t]!));
    lo = Math.max(decLo + u0lo + u1lo + m.offset[t]!, m.loState[t]!);
    hi = Math.min(decHi + u0hi + u1hi + m.offset[t]!, m.hiState[t]!);
    if (lo > hi + tol) return t;
    if (lo > hi) lo = hi;
  }
  return -1;
}

function scaledRange(k: number, lo: number, hi: number): [number, number] {
  if (k === 0) return [0, 0];
  return k > 0 ? [k * lo, k * hi] : [k * hi, k * lo];
}

/** Riccati gains of one dynamics-and-costs class at one rho (see BoxLqSolver.prepare). */
interface Gains {
  readonly rho: number;
  readonly withCosts: boolean;
  readonly qtot: number;
  readonly riccatiP: Float64Array;
  readonly minv: Float64Array;
  readonly beta: Float64Array;
}

/**
 * Gains depend on the dynamics, the quadratic costs and rho, not on boxes or linear terms, so the
 * thousands of batteries of a city share a handful of them. Adaptive rho visits few values; the
 * cache is simply emptied when it grows past a bound.
 */
const gainsCache = new Map<string, Gains>();
const GAINS_CACHE_LIMIT = 256;

function gainsFor(m: LqModel, rho: number, withCosts: boolean): Gains {
  const key = [m.slots, m.decay, m.gain0, m.gain1, m.out0, m.out1, m.outState, m.quad0, m.quad1, m.quadState, m.stateWeight, rho, withCosts].join('|');
  const cached = gainsCache.get(key);
  if (cached !== undefined) return cached;
  const T = m.slots;
  const c = withCosts ? 1 : 0;
  const sigmaU = rho;
  const sigmaS = rho * m.stateWeight;
  const r00 = c * m.quad0 + sigmaU + rho * m.out0 * m.out0;
  const r01 = rho * m.out0 * m.out1;
  const r11 = c * m.quad1 + sigmaU + rho * m.out1 * m.out1;
  const qtot = c * m.quadState + sigmaS + rho * m.outState * m.outState;
  const a = m.decay;
  const b0 = m.gain0;
  const b1 = m.gain1;
  const riccatiP = new Float64Array(T);
  const minv = new Float64Array(3 * T);
  const beta = new Float64Array(2 * T);
  let P = qtot;
  for (let t = T - 1; t >= 0; t--) {
    riccatiP[t] = P;
    const m00 = r00 + P * b0 * b0;
    const m01 = r01 + P * b0 * b1;
    const m11 = r11 + P * b1 * b1;
    const det = m00 * m11 - m01 * m01;
    const i00 = m11 / det;
    const i01 = -m01 / det;
    const i11 = m00 / det;
    minv[3 * t] = i00;
    minv[3 * t + 1] = i01;
    minv[3 * t + 2] = i11;
    const be0 = P * a * b0;
    const be1 = P * a * b1;
    beta[2 * t] = be0;
    beta[2 * t + 1] = be1;
    P = qtot + P * a * a - (be0 * (i00 * be0 + i01 * be1) + be1 * (i01 * be0 + i11 * be1));
  }
  const gains = { rho, withCosts, qtot, riccatiP, minv, beta };
  if (gainsCache.size >= GAINS_CACHE_LIMIT) gainsCache.clear();
  gainsCache.set(key, gains);
  return gains;
}
