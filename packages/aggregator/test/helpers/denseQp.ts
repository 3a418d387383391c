import { solveQP } from 'quadprog';

/** A small dense QP: min x'Qx/2 + c'x subject to Aeq x = beq and lo <= x <= hi (boxes may be infinite). */
export interface DenseQp {
  readonly n: number;
  readonly Q: number[][];
  readonly c: number[];
  readonly eq: { row: number[]; rhs: number }[];
  /** General inequalities row'x >= rhs. */
  readonly ge: { row: number[]; rhs: number }[];
  readonly lo: number[];
  readonly hi: number[];
}

export function emptyQp(n: number): DenseQp {
  return {
    n,
    Q: Array.from({ length: n }, () => new Array<number>(n).fill(0)),
    c: new Array<number>(n).fill(0),
    eq: [],
    ge: [],
    lo: new Array<number>(n).fill(-Infinity),
    hi: new Array<number>(n).fill(Infinity),
  };
}

/** Adds (w/2)(a'x - target)^2 to the objective. */
export function addSquare(qp: DenseQp, coef: Record<number, number>, target: number, w: number): void {
  const entries = Object.entries(coef).map(([k, v]) => [Number(k), v] as const);
  for (const [i, ai] of entries) {
    for (const [j, aj] of entries) qp.Q[i]![j]! += w * ai * aj;
    qp.c[i]! -= w * ai * target;
  }
}

/**
 * Solves with quadprog (a reference independent of the code under test). quadprog needs a strictly
 * convex objective, so a tiny ridge is added; it moves the answer by about ridge * |x|.
 */
export function solveDenseQp(qp: DenseQp, ridge = 1e-9): number[] {
  const n = qp.n;
  const D: number[][] = [[]];
  const d: number[] = [0];
  for (let i = 0; i < n; i++) {
    D.push([0, ...qp.Q[i]!.map((v, j) => v + (i === j ? ridge : 0))]);
    d.push(-qp.c[i]!);
  }
  const columns: { a: number[]; b: number }[] = [];
  for (const { row, rhs } of qp.eq) columns.push({ a: row, b: rhs });
  let meq = qp.eq.length;
  for (let i = 0; i < n; i++) {
    const unit = new Array<number>(n).fill(0);
    unit[i] = 1;
    if (qp.lo[i] === qp.hi[i]) {
      columns.splice(meq, 0, { a: unit, b: qp.lo[i]! });
      meq++;
    }
  }
  for (let i = 0; i < n; i++) {
    if (qp.lo[i] === qp.hi[i]) continue;
    if (Number.isFinite(qp.lo[i]!)) {
      const unit = new Array<number>(n).fill(0);
      unit[i] = 1;
      columns.push({ a: unit, b: qp.lo[i]! });
    }
    if (Number.isFinite(qp.hi[i]!)) {
      const unit = new Array<number>(n).fill(0);
      unit[i] = -1;
      columns.push({ a: unit, b: -qp.hi[i]! });
    }
  }
  for (const { row, rhs } of qp.ge) columns.push({ a: row, b: rhs });
  const A: number[][] = [[]];
  for (let i = 0; i < n; i++) A.push([0, ...columns.map((col) => col.a[i]!)]);
  const b = [0, ...columns.map((col) => col.b)];
  const result = solveQP(D, d, A, b, meq);
  if (result.message !== '') throw new Error(`quadprog: ${result.message}`);
  return result.solution.slice(1);
}
