import { parentPort, workerData } from 'node:worker_threads';
import { createDevice } from './createDevice.js';
import type { Horizon } from './parameters.js';
import { ProxBlock } from './proxBlock.js';

/** What ParallelAdmmEngine hands each worker: its block of devices and the shared arrays. */
export interface ProxWorkerData {
  /** Marks the data as ours, so importing this module inside some other worker does nothing. */
  readonly role: 'oadr-kit-prox-worker';
  readonly horizon: Horizon;
  readonly devices: readonly { readonly kind: string; readonly id: string; readonly parameters: unknown }[];
  /** First terminal of each device of the block, plus the end (global terminal indices). */
  readonly firstTerminal: readonly number[];
  /** Net of each of the block's terminals. */
  readonly terminalNet: Int32Array;
  readonly relaxed: SharedArrayBuffer;
  readonly scaledPrice: SharedArrayBuffer;
  readonly power: SharedArrayBuffer;
  readonly weight: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/** Control words: generation (bumped per round), finished workers, stop flag, error flag; rho as a float64 at byte 16. */
export const CONTROL = { GENERATION: 0, DONE: 1, STOP: 2, ERROR: 3, RHO_BYTE_OFFSET: 16, BYTES: 24 } as const;

function serve(data: ProxWorkerData): void {
  const T = data.horizon.slots;
  const control = new Int32Array(data.control, 0, 4);
  const rho = new Float64Array(data.control, CONTROL.RHO_BYTE_OFFSET, 1);
  const power = new Float64Array(data.power);
  const devices = data.devices.map((d) => createDevice(d.kind, d.id, d.parameters, data.horizon));
  const first = data.firstTerminal;
  const block = new ProxBlock(
    devices,
    first,
    devices.map((_, k) => power.subarray(first[k]! * T, first[k + 1]! * T)),
    T,
  );
  const arrays = {
    relaxed: new Float64Array(data.relaxed),
    scaledPrice: new Float64Array(data.scaledPrice),
    weight: new Float64Array(data.weight),
    terminalNet: data.terminalNet,
    terminalOffset: first[0]!,
  };
  parentPort!.postMessage('ready');
  let generation = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.GENERATION, generation);
    generation = Atomics.load(control, CONTROL.GENERATION);
    if (Atomics.load(control, CONTROL.STOP) === 1) return;
    try {
      block.run(arrays, rho[0]!);
    } catch (error) {
      Atomics.store(control, CONTROL.ERROR, 1);
      parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
    }
    Atomics.add(control, CONTROL.DONE, 1);
    Atomics.notify(control, CONTROL.DONE);
  }
}

if (parentPort !== null && (workerData as Partial<ProxWorkerData> | null)?.role === 'oadr-kit-prox-worker') serve(workerData as ProxWorkerData);
