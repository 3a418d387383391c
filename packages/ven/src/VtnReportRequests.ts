import { randomUUID } from 'node:crypto';
import { formatDateTime, formatDuration, type MessageBody, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { VenError, VenErrorCode } from './VenError.js';

/** What the application asks of a report the VTN offers (durations in ms, whole seconds; see CHECKLIST §4.3). */
export interface VtnReportRequest {
  readonly reportSpecifierID: string;
  /** Data points; default: every point the VTN's metadata lists for the report. */
  readonly rIDs?: readonly string[];
  /** Sampling step; 0 asks for every reading. */
  readonly granularityMs: number;
  /** How often the VTN sends; 0 asks for one delivery now. */
  readonly reportBackDurationMs: number;
  /** The span: periodic deliveries run over it (durationMs 0: until cancelled); a one-shot request gets its past readings. */
  readonly interval?: { readonly startMs: number; readonly durationMs: number };
}

/**
 * The VEN's side of the reports a VTN offers: what its METADATA report listed, which requests this
 * VEN has made, and the answer to each oadrUpdateReport. Requests live as long as the process: a
 * delivery for one this VEN does not know (it restarted) is answered with its cancellation.
 */
export class VtnReportRequests {
  #offered: readonly OadrReport[] = [];
  readonly #requested = new Set<string>();
  // Cancelled with reportToFollow: one more delivery is expected, then the request is gone.
  readonly #closing = new Set<string>();

  /** The reports of the VTN's latest METADATA report. */
  get offered(): readonly OadrReport[] {
    return this.#offered;
  }

  takeMetadata(reports: readonly OadrReport[]): void {
    this.#offered = reports;
  }

  /** The oadrReportRequest for `request`, refused before anything is sent when the VTN offers no such report or point. */
  build(request: VtnReportRequest): OadrReportRequest {
    const report = this.#offered.find((r) => r.reportSpecifierID === request.reportSpecifierID);
    if (report === undefined) {
      throw new VenError(VenErrorCode.OPTIONS_INVALID, `the VTN offers no report ${request.reportSpecifierID} (offered: ${this.#offered.map((r) => r.reportSpecifierID).join(', ') || 'none'})`, { field: 'reportSpecifierID' });
    }
    const points = (report.oadrReportDescription ?? []).map((d) => d.rID);
    const rIDs = request.rIDs ?? points;
    const unknown = rIDs.find((rID) => !points.includes(rID));
    if (unknown !== undefined || rIDs.length === 0) {
      throw new VenError(VenErrorCode.OPTIONS_INVALID, unknown === undefined ? `report ${request.reportSpecifierID} has no data points` : `report ${request.reportSpecifierID} has no rID ${unknown}`, { field: 'rIDs' });
    }
    for (const [field, ms] of [['granularityMs', request.granularityMs], ['reportBackDurationMs', request.reportBackDurationMs], ['interval.durationMs', request.interval?.durationMs ?? 0]] as const) {
      // xcal durations count whole seconds.
      if (!Number.isInteger(ms / 1000) || ms < 0) throw new VenError(VenErrorCode.OPTIONS_INVALID, `${field} must be a whole number of seconds, not ${ms} ms`, { field });
    }
    return {
      reportRequestID: randomUUID(),
      reportSpecifier: {
        reportSpecifierID: request.reportSpecifierID,
        granularity: formatDuration(request.granularityMs),
        reportBackDuration: formatDuration(request.reportBackDurationMs),
        ...(request.interval === undefined ? {} : { reportInterval: { dtstart: formatDateTime(request.interval.startMs), duration: formatDuration(request.interval.durationMs) } }),
        specifierPayload: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
      },
    };
  }

  requested(reportRequestID: string): void {
    this.#requested.add(reportRequestID);
  }

  has(reportRequestID: string): boolean {
    return this.#requested.has(reportRequestID);
  }

  /** The request was cancelled: forgotten now, or after its last delivery with `reportToFollow`. */
  cancelled(reportRequestID: string, reportToFollow: boolean): void {
    if (reportToFollow) this.#closing.add(reportRequestID);
    else this.forget(reportRequestID);
  }

  forget(reportRequestID: string): void {
    this.#requested.delete(reportRequestID);
    this.#closing.delete(reportRequestID);
  }

  /**
   * Sorts a delivery into the reports this VEN asked for and the answer: 200, carrying the
   * cancellation of requests it does not know so the VTN stops sending them.
   */
  take(update: MessageBody<'oadrUpdateReport'>, venID: string | undefined): { reports: OadrReport[]; reply: MessageBody<'oadrUpdatedReport'> } {
    const reports = (update.oadrReport ?? []).filter((r) => this.#requested.has(r.reportRequestID));
    const strangers = [...new Set((update.oadrReport ?? []).map((r) => r.reportRequestID).filter((id) => !this.#requested.has(id)))];
    for (const report of reports) if (this.#closing.has(report.reportRequestID)) this.forget(report.reportRequestID);
    const ven = venID === undefined ? {} : { venID };
    return {
      reports,
      reply: {
        eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: update.requestID },
        ...(strangers.length === 0 ? {} : { oadrCancelReport: { requestID: randomUUID(), reportRequestID: strangers, reportToFollow: false, ...ven } }),
        ...ven,
      },
    };
  }
}
