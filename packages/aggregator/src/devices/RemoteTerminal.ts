import { AggregatorError, AggregatorErrorCode } from '../AggregatorError.js';
import type { Device } from '../Device.js';
import { readHorizon, type Horizon } from '../parameters.js';

/**
 * A terminal whose prox is computed elsewhere (a VEN answering over OpenADR): the engine hands out
 * its incentive and takes back the profile the owner submits. Until a new profile arrives the last
 * one stands, which is also what a silent VEN gets. Its cost is private, so it counts as 0 and it
 * gives no dual bound.
 */
export class RemoteTerminal implements Device {
  readonly kind = 'remote-terminal';
  readonly terminalCount = 1;
  readonly id: string;
  readonly horizon: Horizon;
  private readonly latest: Float64Array;

  constructor(id: string, horizon: Horizon) {
    this.id = id;
    this.horizon = readHorizon(horizon);
    this.latest = new Float64Array(this.horizon.slots);
  }

  /** Stores the owner's answer; refuses wrong lengths and non-finite numbers. */
  submit(profile: ArrayLike<number>): void {
    if (profile.length !== this.horizon.slots) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `device "${this.id}": profile must have ${this.horizon.slots} values (got ${profile.length})`, { deviceId: this.id });
    }
    for (let t = 0; t < profile.length; t++) {
      if (!Number.isFinite(profile[t])) {
        throw new AggregatorError(AggregatorErrorCode.INVALID_PROFILE, `device "${this.id}": profile[${t}] is not a finite number`, { deviceId: this.id, field: `profile[${t}]` });
      }
    }
    this.latest.set(Array.from(profile));
  }

  prox(_v: Float64Array, _rho: number, out: Float64Array): void {
    out.set(this.latest);
  }

  cost(): number {
    return 0;
  }

  violation(): number {
    return 0;
  }

  repair(p: Float64Array, out: Float64Array): void {
    out.set(p);
  }

  dualBound(): number {
    return -Infinity;
  }
}
