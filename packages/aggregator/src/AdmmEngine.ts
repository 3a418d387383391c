import { AggregatorError, AggregatorErrorCode } from './AggregatorError.js';
import { GridConnection } from './devices/GridConnection.js';
import { Line } from './devices/Line.js';
import { RemoteTerminal } from './devices/RemoteTerminal.js';
import type { Network } from './Network.js';
import { ProxBlock } from './proxBlock.js';
import type { Profile } from './parameters.js';

export interface AdaptiveRhoOptions {
  /** Iterations between adjustments (default 25; gentle, since rho jumps make prices oscillate). */
  readonly every?: number;
  /** Adjust when one relative residual exceeds the other by this factor (default 3). */
  readonly ratio?: number;
  /** Multiply or divide rho by this (default 1.2). */
  readonly factor?: number;
}

export interface EngineOptions {
  /** Initial penalty rho, EUR per kW^2 per slot (default 0.02). */
  readonly rho?: number;
  /** Over-relaxation alpha in (0, 2) (default 1.6). */
  readonly relaxation?: number;
  /** Residual balancing with dual rescaling; false keeps rho fixed. */
  readonly adaptiveRho?: AdaptiveRhoOptions | false;
  /**
   * Per-device penalty weights (device id to w > 0; default 1): the device's terminals use rho * w
   * and take a share of their net's imbalance proportional to 1 / w. A small weight on a terminal
   * that carries a whole net's balance (a grid connection facing thousands of houses) lets it
   * absorb the imbalance at once instead of 1/N of it per iteration.
   */
  readonly weights?: Readonly<Record<string, number>>;
  /** Warm start: prices per net id, EUR/kWh (a number or one per slot), e.g. yesterday's. */
  readonly initialPrices?: Readonly<Record<string, Profile>>;
}

export interface RunOptions {
  /** Relative tolerance on both residuals (default 1e-4). */
  readonly tolerance?: number;
  /** Absolute tolerance per terminal-slot, kW (default 1e-9). */
  readonly absoluteTolerance?: number;
  /** Give up after this many iterations (default 10,000). */
  readonly maxIterations?: number;
}

/** Residuals after one iteration (definitions of ADMM.md section 1.4). */
export interface IterationReport {
  readonly iteration: number;
  /** ||r||: net imbalance repeated per terminal, kW. */
  readonly primalResidual: number;
  /** ||s||: rho times the change of p - pbar per terminal. */
  readonly dualResidual: number;
  /** ||r|| / max(||p||, ||p - pbar||). */
  readonly relativePrimal: number;
  /** ||s|| / ||rho u|| (u repeated per terminal). */
  readonly relativeDual: number;
  /** Largest |pbar| over nets and slots times the net's terminal count: the worst net imbalance, kW. */
  readonly maxImbalanceKw: number;
  /** rho used in this iteration. */
  readonly rho: number;
}

export interface RunResult {
  readonly converged: boolean;
  readonly iterations: number;
  readonly last: IterationReport;
}

/** Incentive for one terminal, what the VTN sends a VEN. */
export interface Incentive {
  /** Price of the terminal's net, EUR/kWh per slot (y = rho u / dt). */
  readonly price: Float64Array;
  /** Setpoint p - pbar (relaxed), kW per slot. */
  readonly setpoint: Float64Array;
  /** Prox target v = setpoint - u, kW per slot: the answer is argmin f(p) + (rho/2)||p - v||^2. */
  readonly target: Float64Array;
  readonly rho: number;
}

export interface Certificate {
  /** Objective of the repaired, balanced schedule, EUR (feasible up to maxViolation). */
  readonly repairedObjective: number;
  /** Lagrangian lower bound g(y) on the optimum at the current prices, EUR. */
  readonly dualBound: number;
  /** repairedObjective - dualBound, EUR: the optimum is within this of the repaired objective. */
  readonly gap: number;
  readonly relativeGap: number;
  /** Largest constraint violation left in the repaired schedule (device units). */
  readonly maxViolation: number;
}

/**
 * Proximal message passing (ADMM.md section 1) over a Network. `step()` runs one iteration: device
 * prox (remote terminals take their submitted profile), net averaging, price update. Rho adapts by
 * residual balancing; the scaled prices are rescaled with it so y = rho u never jumps.
 */
export class AdmmEngine {
  readonly network: Network;
  /** Terminal powers, terminal-major (terminal i, slot t at i * T + t). */
  readonly power: Float64Array;
  private readonly relaxed: Float64Array;
  private readonly scaledPrice: Float64Array;
  private readonly average: Float64Array;
  /** Weight of each terminal (its device's weight). */
  private readonly weight: Float64Array;
  /** Sum of 1 / weight over each net's terminals (the terminal count when all weights are 1). */
  private readonly netInverseWeight: Float64Array;
  /** Each device's slice of `power`. */
  protected readonly powerViews: Float64Array[];
  private readonly block: ProxBlock;
  private readonly relaxation: number;
  private readonly adaptive: Required<AdaptiveRhoOptions> | undefined;
  private rhoValue: number;
  private iterationCount = 0;
  private lastReport: IterationReport | undefined;

  /**
   * @param allocate where the shared per-terminal arrays live (the parallel engine passes
   *   SharedArrayBuffer-backed ones so its workers see them); ordinary callers leave it out.
   */
  constructor(network: Network, options: EngineOptions = {}, allocate: (length: number) => Float64Array = (n) => new Float64Array(n)) {
    this.network = network;
    const T = network.horizon.slots;
    const nTerm = network.terminalCount;
    this.rhoValue = positiveOption('rho', options.rho ?? 0.02);
    this.relaxation = options.relaxation ?? 1.6;
    if (!(this.relaxation > 0 && this.relaxation < 2)) throw optionError('relaxation', 'must be in (0, 2)');
    if (options.adaptiveRho === false) this.adaptive = undefined;
    else {
      const a = options.adaptiveRho ?? {};
      this.adaptive = {
        every: Math.round(positiveOption('adaptiveRho.every', a.every ?? 25)),
        ratio: positiveOption('adaptiveRho.ratio', a.ratio ?? 3),
        factor: positiveOption('adaptiveRho.factor', a.factor ?? 1.2),
      };
    }
    this.power = allocate(nTerm * T);
    this.relaxed = allocate(nTerm * T);
    this.scaledPrice = allocate(network.netIds.length * T);
    this.average = new Float64Array(network.netIds.length * T);
    this.powerViews = network.devices.map((_, d) => this.power.subarray(network.firstTerminal[d]! * T, network.firstTerminal[d + 1]! * T));
    this.block = new ProxBlock(network.devices, network.firstTerminal, this.powerViews, T);
    this.weight = allocate(nTerm).fill(1);
    for (const [deviceId, w] of Object.entries(options.weights ?? {})) {
      const d = network.deviceIndexOf(deviceId);
      const value = positiveOption(`weights.${deviceId}`, w);
      for (let i = network.firstTerminal[d]!; i < network.firstTerminal[d + 1]!; i++) this.weight[i] = value;
    }
    this.netInverseWeight = new Float64Array(network.netIds.length);
    for (let i = 0; i < nTerm; i++) this.netInverseWeight[network.terminalNet[i]!]! += 1 / this.weight[i]!;
    if (options.initialPrices !== undefined) this.setPrices(options.initialPrices);
  }

  get rho(): number {
    return this.rhoValue;
  }

  get iteration(): number {
    return this.iterationCount;
  }

  /** Sets net prices (EUR/kWh), e.g. a warm start from an earlier negotiation. */
  setPrices(prices: Readonly<Record<string, Profile>>): void {
    const T = this.network.horizon.slots;
    const dt = this.network.horizon.slotHours;
    for (const [netId, value] of Object.entries(prices)) {
      const n = this.network.netIndexOf(netId);
      for (let t = 0; t < T; t++) {
        const price = typeof value === 'number' ? value : value[t];
        if (typeof price !== 'number' || !Number.isFinite(price)) throw optionError(`initialPrices.${netId}`, `needs a finite price for slot ${t}`);
        this.scaledPrice[n * T + t] = (price * dt) / this.rhoValue;
      }
    }
  }

  /** One iteration; returns its residuals. */
  step(): IterationReport {
    const rho = this.rhoValue;
    this.proxDevices(rho);
    this.finishIteration(rho);
    return this.lastReport!;
  }

  /** The device prox phase; the parallel engine spreads it over worker threads. */
  protected proxDevices(rho: number): void {
    this.proxRange(rho);
  }

  /** Prox of every device, or (parallel engine) of the block given. */
  protected proxRange(rho: number, block: ProxBlock = this.block): void {
    const net = this.network;
    block.run({ relaxed: this.relaxed, scaledPrice: this.scaledPrice, weight: this.weight, terminalNet: net.terminalNet, terminalOffset: 0 }, rho);
  }

  /** Arrays a prox worker shares with this engine. */
  protected get proxBuffers(): { relaxed: Float64Array; scaledPrice: Float64Array; power: Float64Array; weight: Float64Array } {
    return { relaxed: this.relaxed, scaledPrice: this.scaledPrice, power: this.power, weight: this.weight };
  }

  /** Runs until both relative residuals are within tolerance (or maxIterations). */
  run(options: RunOptions = {}): RunResult {
    const tolerance = options.tolerance ?? 1e-4;
    const absolute = options.absoluteTolerance ?? 1e-9;
    const maxIterations = options.maxIterations ?? 10_000;
    let report = this.lastReport;
    for (let k = 0; k < maxIterations; k++) {
      report = this.step();
      if (this.converged(report, tolerance, absolute)) return { converged: true, iterations: this.iterationCount, last: report };
    }
    if (report === undefined) throw optionError('maxIterations', 'must be at least 1');
    return { converged: false, iterations: this.iterationCount, last: report };
  }

  /** Whether a report meets relative tolerance eps_rel and absolute eps_abs (kW per terminal-slot). */
  converged(report: IterationReport, tolerance: number, absoluteTolerance = 1e-9): boolean {
    const scale = Math.sqrt(this.power.length) * absoluteTolerance;
    const pri = report.relativePrimal <= tolerance || report.primalResidual <= scale;
    const dual = report.relativeDual <= tolerance || report.dualResidual <= scale;
    return pri && dual;
  }

  /** Net prices, EUR/kWh per slot. */
  prices(netId: string): Float64Array {
    const n = this.network.netIndexOf(netId);
    const T = this.network.horizon.slots;
    const out = new Float64Array(T);
    const factor = this.rhoValue / this.network.horizon.slotHours;
    for (let t = 0; t < T; t++) out[t] = factor * this.scaledPrice[n * T + t]!;
    return out;
  }

  /** The current profile of a device's terminal (a copy), kW per slot. */
  profile(deviceId: string, terminal = 0): Float64Array {
    const d = this.network.deviceIndexOf(deviceId);
    const T = this.network.horizon.slots;
    const i = this.network.firstTerminal[d]! + terminal;
    if (!(terminal >= 0 && i < this.network.firstTerminal[d + 1]!)) throw optionError('terminal', `device "${deviceId}" has no terminal ${terminal}`);
    return this.power.slice(i * T, (i + 1) * T);
  }

  /** What the terminal's owner needs to compute its next profile. */
  incentive(deviceId: string, terminal = 0): Incentive {
    const d = this.network.deviceIndexOf(deviceId);
    const T = this.network.horizon.slots;
    const i = this.network.firstTerminal[d]! + terminal;
    if (!(terminal >= 0 && i < this.network.firstTerminal[d + 1]!)) throw optionError('terminal', `device "${deviceId}" has no terminal ${terminal}`);
    const n = this.network.terminalNet[i]!;
    const factor = this.rhoValue / this.network.horizon.slotHours;
    const price = new Float64Array(T);
    const setpoint = this.relaxed.slice(i * T, (i + 1) * T);
    const target = new Float64Array(T);
    for (let t = 0; t < T; t++) price[t] = factor * this.scaledPrice[n * T + t]!;
    const w = this.weight[i]!;
    for (let t = 0; t < T; t++) target[t] = setpoint[t]! - this.scaledPrice[n * T + t]! / w;
    return { price, setpoint, target, rho: this.rhoValue * w };
  }

  /** Stores a remote terminal's answer for the next step(). */
  submitProfile(deviceId: string, profile: ArrayLike<number>): void {
    const device = this.network.device(deviceId);
    if (!(device instanceof RemoteTerminal)) {
      throw new AggregatorError(AggregatorErrorCode.INVALID_NETWORK, `device "${deviceId}" is not a remote terminal; its prox is computed here`, { deviceId });
    }
    device.submit(profile);
  }

  /** Sum of device costs on the current (raw) iterate, EUR. */
  objective(): number {
    let sum = 0;
    this.network.devices.forEach((device, d) => (sum += device.cost(this.powerViews[d]!)));
    return sum;
  }

  /**
   * A feasible point and a lower bound: every device's profile is repaired, then each net's leftover
   * imbalance goes, children first, to its grid connection or up the line to its parent net; the
   * bound is the Lagrangian dual g(y) = sum_d min_p f_d(p) + y'p at the current prices.
   */
  certificate(): Certificate {
    const net = this.network;
    const T = net.horizon.slots;
    const repaired = new Float64Array(this.power.length);
    const views = net.devices.map((_, d) => repaired.subarray(net.firstTerminal[d]! * T, net.firstTerminal[d + 1]! * T));
    net.devices.forEach((device, d) => device.repair(this.powerViews[d]!, views[d]!));
    const imbalance = new Float64Array(net.netIds.length * T);
    for (let i = 0; i < net.terminalCount; i++) {
      const n = net.terminalNet[i]!;
      for (let t = 0; t < T; t++) imbalance[n * T + t]! += repaired[i * T + t]!;
    }
    const absorber = this.absorbers();
    for (let n = net.netIds.length - 1; n >= 0; n--) {
      const a = absorber[n];
      if (a === undefined) continue;
      for (let t = 0; t < T; t++) {
        const delta = imbalance[n * T + t]!;
        repaired[a.terminal * T + t]! -= delta;
        if (a.other >= 0) {
          repaired[a.other * T + t]! += delta;
          imbalance[net.terminalNet[a.other]! * T + t]! += delta;
        }
      }
    }
    let objective = 0;
    let violation = 0;
    let bound = 0;
    const y = new Float64Array(this.power.length);
    for (let i = 0; i < net.terminalCount; i++) {
      const n = net.terminalNet[i]!;
      for (let t = 0; t < T; t++) y[i * T + t] = this.rhoValue * this.scaledPrice[n * T + t]!;
    }
    net.devices.forEach((device, d) => {
      objective += device.cost(views[d]!);
      violation = Math.max(violation, device.violation(views[d]!));
      const first = net.firstTerminal[d]!;
      bound += device.dualBound(y.subarray(first * T, net.firstTerminal[d + 1]! * T), this.powerViews[d]!, this.rhoValue * this.weight[first]!);
    });
    const gap = objective - bound;
    return { repairedObjective: objective, dualBound: bound, gap, relativeGap: gap / Math.max(Math.abs(objective), 1e-12), maxViolation: violation };
  }

  private absorbers(): ({ terminal: number; other: number } | undefined)[] {
    const net = this.network;
    const result: ({ terminal: number; other: number } | undefined)[] = new Array(net.netIds.length).fill(undefined);
    net.devices.forEach((device, d) => {
      const first = net.firstTerminal[d]!;
      if (device instanceof GridConnection) {
        const n = net.terminalNet[first]!;
        result[n] ??= { terminal: first, other: -1 };
      } else if (device instanceof Line) {
        const n0 = net.terminalNet[first]!;
        const n1 = net.terminalNet[first + 1]!;
        if (net.netParent[n1] === n0) result[n1] ??= { terminal: first + 1, other: first };
        else if (net.netParent[n0] === n1) result[n0] ??= { terminal: first, other: first + 1 };
      }
    });
    return result;
  }

  private finishIteration(rho: number): void {
    const net = this.network;
    const T = net.horizon.slots;
    const alpha = this.relaxation;
    const { power, relaxed, scaledPrice, average } = this;
    const nNet = net.netIds.length;
    average.fill(0);
    for (let i = 0; i < net.terminalCount; i++) {
      const base = net.terminalNet[i]! * T;
      const off = i * T;
      for (let t = 0; t < T; t++) average[base + t]! += power[off + t]!;
    }
    // The weighted mean m = (sum p) / (sum 1/w); terminal i takes m / w_i of the imbalance.
    let primalSq = 0;
    let maxImbalance = 0;
    for (let n = 0; n < nNet; n++) {
      const inverseWeight = this.netInverseWeight[n]!;
      for (let t = 0; t < T; t++) {
        const sum = average[n * T + t]!;
        maxImbalance = Math.max(maxImbalance, Math.abs(sum));
        average[n * T + t] = sum / inverseWeight;
      }
    }
    let dualSq = 0;
    let powerSq = 0;
    let relaxedSq = 0;
    let priceSq = 0;
    for (let i = 0; i < net.terminalCount; i++) {
      const base = net.terminalNet[i]! * T;
      const off = i * T;
      const w = this.weight[i]!;
      const inverse = 1 / w;
      for (let t = 0; t < T; t++) {
        const p = power[off + t]!;
        const share = inverse * average[base + t]!;
        const old = relaxed[off + t]!;
        const z = alpha * (p - share) + (1 - alpha) * old;
        relaxed[off + t] = z;
        const change = w * (z - old);
        dualSq += change * change;
        powerSq += p * p;
        relaxedSq += z * z;
        primalSq += share * share;
      }
    }
    for (let n = 0; n < nNet; n++) {
      const count = net.netTerminalCount[n]!;
      for (let t = 0; t < T; t++) {
        const u = scaledPrice[n * T + t]! + alpha * average[n * T + t]!;
        scaledPrice[n * T + t] = u;
        priceSq += count * u * u;
      }
    }
    this.iterationCount++;
    const primal = Math.sqrt(primalSq);
    const dual = rho * Math.sqrt(dualSq);
    const report: IterationReport = {
      iteration: this.iterationCount,
      primalResidual: primal,
      dualResidual: dual,
      relativePrimal: primal / Math.max(Math.sqrt(powerSq), Math.sqrt(relaxedSq), 1e-300),
      relativeDual: dual / Math.max(rho * Math.sqrt(priceSq), 1e-300),
      maxImbalanceKw: maxImbalance,
      rho,
    };
    this.lastReport = report;
    this.adapt(report);
  }

  private adapt(report: IterationReport): void {
    const a = this.adaptive;
    if (a === undefined || this.iterationCount % a.every !== 0) return;
    let factor = 1;
    if (report.relativePrimal > a.ratio * report.relativeDual) factor = a.factor;
    else if (report.relativeDual > a.ratio * report.relativePrimal) factor = 1 / a.factor;
    if (factor === 1) return;
    this.rhoValue *= factor;
    for (let i = 0; i < this.scaledPrice.length; i++) this.scaledPrice[i] = this.scaledPrice[i]! / factor;
  }
}

function optionError(field: string, problem: string): AggregatorError {
  return new AggregatorError(AggregatorErrorCode.INVALID_OPTION, `engine option ${field} ${problem}`, { field });
}

function positiveOption(field: string, value: number): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw optionError(field, `must be a positive finite number (got ${String(value)})`);
  return value;
}
