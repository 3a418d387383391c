import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { AdmmEngine, type EngineOptions } from './AdmmEngine.js';
import { LqDevice } from './devices/LqDevice.js';
import { networkFromSpec, type NetworkSpec } from './networkFromSpec.js';
import { ProxBlock } from './proxBlock.js';
import { CONTROL, type ProxWorkerData } from './proxWorker.js';

export interface ParallelEngineOptions extends EngineOptions {
  /** Threads including the calling one (default 2). */
  readonly threads?: number;
}

/**
 * The AdmmEngine with the device prox spread over worker threads: the layout's device order is cut
 * into contiguous blocks (whole houses), each worker rebuilds its block's devices from the spec,
 * reads the shared (SharedArrayBuffer) relaxed powers, prices and weights and writes its devices'
 * powers. The calling thread takes the first block, then does the per-net reduction and price
 * update alone, in the same order as the serial engine, so the iterates are identical to it for
 * any thread count. step() stays synchronous (Atomics.wait).
 */
export class ParallelAdmmEngine extends AdmmEngine {
  private readonly workers: Worker[];
  private readonly control: Int32Array;
  private readonly rhoSlot: Float64Array;
  private readonly mainBlock: ProxBlock;
  private workerError: string | undefined;

  private constructor(spec: NetworkSpec, options: ParallelEngineOptions, blocks: number) {
    const network = networkFromSpec(spec);
    super(network, options, (n) => new Float64Array(new SharedArrayBuffer(8 * n)));
    const controlBuffer = new SharedArrayBuffer(CONTROL.BYTES);
    this.control = new Int32Array(controlBuffer, 0, 4);
    this.rhoSlot = new Float64Array(controlBuffer, CONTROL.RHO_BYTE_OFFSET, 1);
    const bounds = splitBlocks(network.devices.map((d) => (d instanceof LqDevice ? 10 : 1)), blocks);
    const mainEnd = bounds[1]!;
    this.mainBlock = new ProxBlock(network.devices.slice(0, mainEnd), network.firstTerminal.subarray(0, mainEnd + 1), this.powerViews.slice(0, mainEnd), network.horizon.slots);
    const specById = new Map(spec.devices.map((d) => [d.id, d]));
    const file = join(__dirname, 'proxWorker.js');
    if (blocks > 1 && !existsSync(file)) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `the parallel engine runs from the built package (${file} is missing)`, { field: 'threads' });
    }
    const { relaxed, scaledPrice, power, weight } = this.proxBuffers;
    this.workers = [];
    for (let b = 1; b < blocks; b++) {
      const first = bounds[b]!;
      const end = bounds[b + 1]!;
      const data: ProxWorkerData = {
        role: 'oadr-kit-prox-worker',
        horizon: network.horizon,
        devices: network.devices.slice(first, end).map((d) => {
          const s = specById.get(d.id)!;
          return { kind: s.kind, id: s.id, parameters: s.parameters };
        }),
        firstTerminal: Array.from(network.firstTerminal.subarray(first, end + 1)),
        terminalNet: network.terminalNet.slice(network.firstTerminal[first]!, network.firstTerminal[end]!),
        relaxed: relaxed.buffer as SharedArrayBuffer,
        scaledPrice: scaledPrice.buffer as SharedArrayBuffer,
        power: power.buffer as SharedArrayBuffer,
        weight: weight.buffer as SharedArrayBuffer,
        control: controlBuffer,
      };
      const worker = new Worker(file, { workerData: data });
      worker.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'error' in message) this.workerError = String((message as { error: unknown }).error);
      });
      this.workers.push(worker);
    }
  }

  /** Starts the workers and resolves once every one has built its devices. */
  static async create(spec: NetworkSpec, options: ParallelEngineOptions = {}): Promise<ParallelAdmmEngine> {
    const threads = options.threads ?? 2;
    if (!(Number.isInteger(threads) && threads >= 1)) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `engine option threads must be a positive integer (got ${String(threads)})`, { field: 'threads' });
    }
    const engine = new ParallelAdmmEngine(spec, options, threads);
    await Promise.all(
      engine.workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('message', () => resolve());
            worker.once('error', reject);
          }),
      ),
    );
    // Ready workers only wait on shared memory; they must not keep the process alive on their own.
    for (const worker of engine.workers) worker.unref();
    return engine;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  protected override proxDevices(rho: number): void {
    if (this.workers.length === 0) {
      super.proxDevices(rho);
      return;
    }
    this.rhoSlot[0] = rho;
    Atomics.store(this.control, CONTROL.DONE, 0);
    Atomics.add(this.control, CONTROL.GENERATION, 1);
    Atomics.notify(this.control, CONTROL.GENERATION);
    this.proxRange(rho, this.mainBlock);
    for (;;) {
      const done = Atomics.load(this.control, CONTROL.DONE);
      if (done >= this.workers.length) break;
      Atomics.wait(this.control, CONTROL.DONE, done);
    }
    if (Atomics.load(this.control, CONTROL.ERROR) === 1) {
      throw new AggregatorError(AggregatorErrorCode.WORKER_FAILED, `a prox worker failed: ${this.workerError ?? 'see its error message'}`);
    }
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    Atomics.store(this.control, CONTROL.STOP, 1);
    Atomics.add(this.control, CONTROL.GENERATION, 1);
    Atomics.notify(this.control, CONTROL.GENERATION);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Cuts [0, n) into `blocks` contiguous ranges of about equal work; returns blocks + 1 bounds. */
function splitBlocks(work: readonly number[], blocks: number): number[] {
  const total = work.reduce((a, b) => a + b, 0);
  const bounds = [0];
  let sum = 0;
  for (let d = 0; d < work.length && bounds.length < blocks; d++) {
    sum += work[d]!;
    if (sum >= (total * bounds.length) / blocks) bounds.push(d + 1);
  }
  while (bounds.length < blocks) bounds.push(work.length);
  bounds.push(work.length);
  return bounds;
}
