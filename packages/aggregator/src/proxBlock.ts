import type { Device } from './Device.js';

/** The arrays one round of device prox reads and writes (shared between threads in parallel runs). */
export interface ProxArrays {
  /** Relaxed p - pbar per terminal-slot. */
  readonly relaxed: Float64Array;
  /** Scaled price u per net-slot. */
  readonly scaledPrice: Float64Array;
  /** Penalty weight per terminal. */
  readonly weight: Float64Array;
  /** Net of each terminal, indexed from `terminalOffset`. */
  readonly terminalNet: Int32Array;
  readonly terminalOffset: number;
}

/**
 * A block of devices and the scratch for their prox targets: the target v = z - u / w of a device
 * is built right before its prox, so no array of targets for the whole network is kept.
 */
export class ProxBlock {
  private readonly scratch: Float64Array[] = [];

  constructor(
    private readonly devices: readonly Device[],
    /** Global first terminal of each device, plus the end. */
    private readonly firstTerminal: ArrayLike<number>,
    private readonly powerViews: readonly Float64Array[],
    private readonly slots: number,
  ) {}

  run(arrays: ProxArrays, rho: number): void {
    const T = this.slots;
    const { relaxed, scaledPrice, weight, terminalNet, terminalOffset } = arrays;
    for (let k = 0; k < this.devices.length; k++) {
      const first = this.firstTerminal[k]!;
      const count = this.firstTerminal[k + 1]! - first;
      const v = (this.scratch[count] ??= new Float64Array(count * T));
      for (let j = 0; j < count; j++) {
        const i = first + j;
        const base = terminalNet[i - terminalOffset]! * T;
        const inverse = 1 / weight[i]!;
        for (let t = 0; t < T; t++) v[j * T + t] = relaxed[i * T + t]! - inverse * scaledPrice[base + t]!;
      }
      this.devices[k]!.prox(v, rho * weight[first]!, this.powerViews[k]!);
    }
  }
}
