import type { Clock, TimerHandle } from './Clock.js';
import { isPeriodic, MAX_REPORT_SAMPLES, type ReportSample } from './reports.js';
import type { StoredReportRequest } from './StateStore.js';
import type { ReportReading } from './VenOptions.js';

export interface ReportRunnerHooks {
  read(request: StoredReportRequest, atMs: number): Promise<readonly ReportReading[]>;
  send(request: StoredReportRequest, samples: readonly ReportSample[]): Promise<void>;
  failed(error: unknown, request: StoredReportRequest): void;
}

interface Running {
  readonly request: StoredReportRequest;
  samples: ReportSample[];
  nextSampleMs: number;
  nextSendMs: number;
  timer: TimerHandle | undefined;
  work: Promise<void>;
}

/**
 * Runs the accepted report requests on the clock: samples every `granularity` (at each delivery when
 * it is 0), delivers the samples every `reportBackDuration`, and makes a last delivery at the end of
 * the report interval. A one-shot request delivers once, at its start or at once when that has
 * passed, with a sample at each granularity of its interval up to then: over a past interval
 * (HISTORY_USAGE) that is every sample of it, stamped with its own instant.
 */
export class ReportRunner {
  readonly #clock: Clock;
  readonly #hooks: ReportRunnerHooks;
  readonly #running = new Map<string, Running>();
  // Work in progress, including one-shot deliveries whose request is already gone from #running.
  readonly #inFlight = new Set<Promise<void>>();

  constructor(clock: Clock, hooks: ReportRunnerHooks) {
    this.#clock = clock;
    this.#hooks = hooks;
  }

  /** IDs of the periodic requests still running: the oadrPendingReports list. */
  pending(): string[] {
    return [...this.#running.values()].filter((running) => isPeriodic(running.request)).map((running) => running.request.reportRequestID);
  }

  has(reportRequestID: string): boolean {
    return this.#running.has(reportRequestID);
  }

  requests(): StoredReportRequest[] {
    return [...this.#running.values()].map((running) => running.request);
  }

  start(request: StoredReportRequest): void {
    this.#stopTimer(request.reportRequestID);
    const first = isPeriodic(request) ? request.startMs + request.reportBackDurationMs : request.startMs;
    const running: Running = { request, samples: [], nextSampleMs: request.startMs, nextSendMs: first, timer: undefined, work: Promise.resolve() };
    this.#running.set(request.reportRequestID, running);
    this.#schedule(running);
  }

  /** Stops a request; with `reportToFollow` the samples gathered so far are delivered first. */
  async cancel(reportRequestID: string, reportToFollow: boolean): Promise<void> {
    const running = this.#running.get(reportRequestID);
    if (running === undefined) return;
    this.#stopTimer(reportRequestID);
    this.#running.delete(reportRequestID);
    await running.work;
    if (reportToFollow) {
      if (running.request.granularityMs === 0 || running.samples.length === 0) await this.#sample(running, this.#clock.now());
      await this.#deliver(running);
    }
  }

  /** Stops every timer and waits for deliveries in progress. */
  async stop(): Promise<void> {
    for (const id of [...this.#running.keys()]) this.#stopTimer(id);
    this.#running.clear();
    await Promise.all([...this.#inFlight]);
  }

  #stopTimer(reportRequestID: string): void {
    const running = this.#running.get(reportRequestID);
    if (running?.timer !== undefined) this.#clock.clearTimeout(running.timer);
  }

  #schedule(running: Running): void {
    const { request } = running;
    const candidates = [running.nextSendMs];
    if (request.granularityMs > 0 && isPeriodic(request)) candidates.push(running.nextSampleMs);
    if (request.endMs !== undefined && isPeriodic(request)) candidates.push(request.endMs);
    const at = Math.min(...candidates);
    running.timer = this.#clock.setTimeout(() => {
      running.timer = undefined;
      const work = this.#wake(running).finally(() => this.#inFlight.delete(work));
      this.#inFlight.add(work);
      running.work = work;
    }, at - this.#clock.now());
  }

  async #wake(running: Running): Promise<void> {
    const { request } = running;
    const now = this.#clock.now();
    try {
      if (!isPeriodic(request)) {
        this.#running.delete(request.reportRequestID);
        for (const atMs of oneShotInstants(request, now)) await this.#sample(running, atMs);
        await this.#deliver(running);
        return;
      }
      if (request.granularityMs > 0) {
        while (running.nextSampleMs <= now && (request.endMs === undefined || running.nextSampleMs < request.endMs)) {
          await this.#sample(running, running.nextSampleMs);
          running.nextSampleMs += request.granularityMs;
        }
      }
      const ended = request.endMs !== undefined && now >= request.endMs;
      if (running.nextSendMs <= now || ended) {
        const boundary = ended ? (request.endMs as number) : running.nextSendMs;
        if (request.granularityMs === 0) await this.#sample(running, Math.min(now, boundary));
        // A sample taken at the boundary opens the next period: it goes with the next delivery.
        await this.#deliver(running, request.granularityMs === 0 ? Number.POSITIVE_INFINITY : boundary);
        while (running.nextSendMs <= now) running.nextSendMs += request.reportBackDurationMs;
      }
      if (ended) {
        this.#running.delete(request.reportRequestID);
        return;
      }
    } catch (error) {
      this.#hooks.failed(error, request);
    }
    if (this.#running.get(request.reportRequestID) === running) this.#schedule(running);
  }

  async #sample(running: Running, atMs: number): Promise<void> {
    try {
      running.samples.push({ atMs, readings: await this.#hooks.read(running.request, atMs) });
    } catch (error) {
      this.#hooks.failed(error, running.request);
    }
  }

  /**
   * Delivers the samples taken before `beforeMs` (all by default), keeping the later ones. Samples of
   * a failed delivery go out with the next one, up to MAX_REPORT_SAMPLES (the oldest are dropped).
   */
  async #deliver(running: Running, beforeMs = Number.POSITIVE_INFINITY): Promise<void> {
    const samples = running.samples.filter((sample) => sample.atMs < beforeMs);
    running.samples = running.samples.filter((sample) => sample.atMs >= beforeMs);
    try {
      await this.#hooks.send(running.request, samples);
    } catch (error) {
      running.samples = [...samples, ...running.samples].slice(-MAX_REPORT_SAMPLES);
      this.#hooks.failed(error, running.request);
    }
  }
}

/** The instants a one-shot request samples: its start, then every granularity within its interval up to `nowMs`. */
function oneShotInstants(request: StoredReportRequest, nowMs: number): number[] {
  const instants = [request.startMs];
  if (request.granularityMs === 0) return instants;
  for (let atMs = request.startMs + request.granularityMs; atMs <= nowMs && (request.endMs === undefined || atMs < request.endMs); atMs += request.granularityMs) instants.push(atMs);
  return instants;
}
