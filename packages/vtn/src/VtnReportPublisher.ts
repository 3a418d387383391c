import { randomUUID } from 'node:crypto';
import { durationToMs, type OadrReportRequest } from '@oadr-kit/protocol';
import { deliveryWindow, firstDue, nextDue, readVenRequest, vtnDataReport, type OfferedReport, type ReadRequestOutcome, type ServedRequest } from './domain/vtnReports.js';
import type { ReportRequestRecord, VtnRepository } from './store/VtnStore.js';
import type { VtnCore } from './VtnCore.js';

/** How often due deliveries are looked for: the finest report period worth serving from stored readings. */
const SWEEP_MS = 1_000;

/**
 * Serves the VENs' requests for the reports the VTN offers (config `reports`): each delivery is an
 * oadrUpdateReport queued for the VEN (polled or pushed like any VTN message) with the readings the
 * operator stored for the window it covers. The next due time is kept with the request, so a
 * restarted VTN goes on where it stopped, and several VTN processes deliver each window once.
 */
export class VtnReportPublisher {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<void> | undefined;

  constructor(private readonly core: VtnCore) {}

  start(): void {
    if (this.core.config.reports.length === 0) return;
    this.#timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#timer.unref();
  }

  offered(reportSpecifierID: string): OfferedReport | undefined {
    return this.core.config.reports.find((r) => r.reportSpecifierID === reportSpecifierID);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /** Queues every delivery due now. */
  sweep(): Promise<void> {
    this.#sweeping ??= this.#sweep()
      .catch((error: unknown) => this.core.log.error({ err: error }, 'publishing VTN reports failed'))
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweep(): Promise<void> {
    const now = this.core.clock();
    const venIDs = await this.core.store.transaction(async (tx) => {
      const served = new Set<string>();
      for (const record of await tx.listDueReportRequests(now)) {
        if (record.nextDueAt === undefined) continue;
        if (await this.deliver(tx, record, record.nextDueAt, now)) served.add(record.venID);
      }
      return [...served];
    });
    if (venIDs.length > 0) this.core.onWork(venIDs);
  }

  /** A VEN's request for a report the VTN offers, read, or why it cannot be served (its code and reason). */
  read(request: OadrReportRequest, now: number): ReadRequestOutcome {
    return readVenRequest(request, this.core.config.reports, now);
  }

  /**
   * Takes a request `read` accepted: saves it with its first due time and, when that is now, queues
   * the first delivery in the same transaction.
   */
  async accept(tx: VtnRepository, venID: string, request: OadrReportRequest, served: ServedRequest, now: number): Promise<void> {
    const dueAt = firstDue(served);
    const record: ReportRequestRecord = {
      reportRequestID: request.reportRequestID,
      venID,
      direction: 'fromVen',
      reportSpecifierID: served.reportSpecifierID,
      request,
      status: 'active',
      createdAt: now,
      nextDueAt: dueAt,
    };
    await tx.saveReportRequest(record);
    if (dueAt <= now) await this.deliver(tx, record, dueAt, now);
  }

  /** The last delivery a cancel with reportToFollow asks for: what was gathered since the last one. */
  async deliverFinal(tx: VtnRepository, record: ReportRequestRecord, now: number): Promise<void> {
    const served = this.served(record);
    const report = this.offered(record.reportSpecifierID);
    if (served === undefined || report === undefined || record.status !== 'active' || record.nextDueAt === undefined) return;
    const window = { fromMs: Math.max(served.startMs, record.nextDueAt - served.reportBackDurationMs), toMs: Math.max(served.startMs, now) };
    await this.enqueue(tx, record, served, report, window, now);
  }

  /** Queues the delivery due at `dueAt` and moves the request on; false when someone else already did. */
  private async deliver(tx: VtnRepository, record: ReportRequestRecord, dueAt: number, now: number): Promise<boolean> {
    const served = this.served(record);
    const report = this.offered(record.reportSpecifierID);
    if (served === undefined || report === undefined) {
      // The operator removed the report from the configuration: the request ends.
      return tx.advanceReportRequest(record.reportRequestID, dueAt, undefined);
    }
    if (!(await tx.advanceReportRequest(record.reportRequestID, dueAt, nextDue(served, dueAt)))) return false;
    await this.enqueue(tx, record, served, report, deliveryWindow(served, dueAt), now);
    return true;
  }

  /** The request as read when it was accepted (its times depend on that instant). */
  private served(record: ReportRequestRecord): ServedRequest | undefined {
    const read = readVenRequest(record.request, this.core.config.reports, record.createdAt);
    return read.ok ? read.request : undefined;
  }

  private async enqueue(tx: VtnRepository, record: ReportRequestRecord, served: ServedRequest, report: OfferedReport, window: { fromMs: number; toMs: number }, now: number): Promise<void> {
    // Sample-and-hold reaches back at most one maxPeriod before the window: an older reading is stale.
    const reach = window.toMs > window.fromMs ? Math.max(...report.points.map((p) => durationToMs(p.maxPeriod))) : durationToMs(report.history);
    const readings = await tx.listVtnReadings(report.reportSpecifierID, served.rIDs, window.fromMs - reach, window.toMs);
    const requestID = randomUUID();
    const body = { requestID, oadrReport: [vtnDataReport(served, report, readings, window, now)], venID: record.venID };
    await tx.enqueue({ venID: record.venID, kind: 'oadrUpdateReport', requestID, body }, now);
  }
}
