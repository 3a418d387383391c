import type { Horizon } from './parameters.js';

/**
 * A device of the network: one or more terminals, each carrying a power profile over the horizon
 * (positive = consumed from the terminal's net, negative = injected). Profiles of a device's
 * terminals are stored terminal after terminal: terminal k, slot t is at index k * T + t.
 *
 * Costs are in the currency of the parameters (EUR) for the whole horizon; prices are per kWh.
 */
export interface Device {
  readonly id: string;
  readonly kind: string;
  readonly horizon: Horizon;
  readonly terminalCount: number;
  /**
   * out = argmin_p f(p) + (rho/2) ||p - v||^2 (the proximal operator; rho in EUR per kW^2 per slot).
   * Stateful devices keep warm-start state between calls, so calls should follow the iteration order.
   */
  prox(v: Float64Array, rho: number, out: Float64Array): void;
  /** f(p) in EUR, counting only the cost terms; constraint violations are reported by `violation`. */
  cost(p: Float64Array): number;
  /** Largest violation of any constraint by p, in the constraint's own unit (0 when feasible). */
  violation(p: Float64Array): number;
  /** Writes a feasible profile near p into out (exactly feasible for closed-form devices). */
  repair(p: Float64Array, out: Float64Array): void;
  /**
   * A lower bound on min_p f(p) + sum_t y_t p_t (y in EUR per kW per slot, laid out like p); exact
   * for closed-form devices, and valid for any multipliers for the devices with internal state,
   * which take them from a prox near p (the current profile) at the engine's penalty rho.
   */
  dualBound(y: Float64Array, p: Float64Array, rho: number): number;
}

/** min over lo <= x <= hi of (q/2) x^2 + l x, for q >= 0; -Infinity when unbounded below. */
export function boxedQuadraticMin(q: number, l: number, lo: number, hi: number): number {
  let x: number;
  if (q > 0) x = Math.min(hi, Math.max(lo, -l / q));
  else if (l > 0) x = lo;
  else if (l < 0) x = hi;
  else return 0;
  if (!Number.isFinite(x)) return -Infinity;
  return 0.5 * q * x * x + l * x;
}

export function clip(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
