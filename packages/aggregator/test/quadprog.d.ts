declare module 'quadprog' {
  /** Goldfarb-Idnani dual method: min -d'b + b'Db/2 subject to A'b >= b0, the first meq as equalities (1-indexed arrays). */
  export function solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
  ): { solution: number[]; value: number[]; message: string };
}
