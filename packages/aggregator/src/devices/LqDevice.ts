import { BoxLqSolver, type LqModel } from '../BoxLqSolver.js';
import type { Device } from '../Device.js';
import type { Horizon } from '../parameters.js';

/** Inner iterations per prox call inside the engine; warm-started, so a few suffice (tuned on community-39). */
const INNER_ITERATIONS = 5;

/**
 * Shared machinery of the devices with an internal state (battery, EV, heat pump, ramped
 * generator): the banded prox solver, a tight solve for one-off answers, and the Lagrangian bound.
 */
export abstract class LqDevice implements Device {
  abstract readonly kind: string;
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  protected readonly solver: BoxLqSolver;
  private sideSolver: BoxLqSolver | undefined;

  protected constructor(id: string, horizon: Horizon, model: LqModel) {
    this.id = id;
    this.horizon = horizon;
    this.solver = new BoxLqSolver(model);
  }

  abstract cost(p: Float64Array): number;
  abstract violation(p: Float64Array): number;

  prox(v: Float64Array, rho: number, out: Float64Array): void {
    this.solver.solve(v, rho, out, INNER_ITERATIONS);
  }

  /** The prox solved to tolerance (tests, and one-off answers outside the engine). */
  proxToTolerance(v: Float64Array, rho: number, out: Float64Array, tol = 1e-10, maxIterations = 200_000): void {
    this.solver.solveToTolerance(v, rho, out, tol, maxIterations);
  }

  /**
   * Projection onto the constraints by the same solver with the costs dropped (kept apart from the
   * engine's warm start). Feasible up to the solver's tolerance; devices with an exact repair override it.
   */
  repair(p: Float64Array, out: Float64Array): void {
    const side = this.side();
    side.solveToTolerance(p, 1, out, 1e-10, 20_000, false);
  }

  /**
   * Lagrangian bound with the dynamics multipliers of a prox solved tightly at the point whose
   * optimality condition is "price y": v = p - y / rho.
   */
  dualBound(y: Float64Array, p: Float64Array, rho: number): number {
    const side = this.side();
    const v = new Float64Array(this.horizon.slots);
    for (let t = 0; t < v.length; t++) v[t] = p[t]! - y[t]! / rho;
    return side.lagrangianBound(v, rho, y, 1e-9, 5000);
  }

  private side(): BoxLqSolver {
    this.sideSolver ??= new BoxLqSolver(this.solver.model);
    this.sideSolver.copyStateFrom(this.solver);
    return this.sideSolver;
  }
}
