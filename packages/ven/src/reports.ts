import {
  durationToMs,
  formatDateTime,
  formatDuration,
  parseDateTime,
  ResponseCode,
  type OadrReport,
  type OadrReportRequest,
  type ReportDescription,
  type ReportInterval,
  type ReportPayload,
} from '@oadr-kit/protocol';
import type { StoredReportRequest } from './StateStore.js';
import type { ReportCapability, ReportReading } from './VenOptions.js';

/**
 * Report model of the VEN, pure: the metadata it registers, how it reads a VTN's report request,
 * and the oadrReport it sends. Timers live in ReportRunner.
 */

/** The reportSpecifierID a data point is registered under: its own, else its report name. */
export function specifierIdOf(capability: ReportCapability): string {
  return capability.reportSpecifierID ?? capability.reportName;
}

/**
 * The metadata reports (oadrRegisterReport body minus requestID/venID): one per report specifier
 * (CHECKLIST §4.2), named after the report name its data points share.
 */
export function metadataReports(capabilities: readonly ReportCapability[], nowMs: number): OadrReport[] {
  const bySpecifier = new Map<string, ReportCapability[]>();
  for (const capability of capabilities) bySpecifier.set(specifierIdOf(capability), [...(bySpecifier.get(specifierIdOf(capability)) ?? []), capability]);
  return [...bySpecifier].map(([reportSpecifierID, points]) => ({
    // How much history the VEN can deliver: it samples on request and keeps none beyond a request.
    duration: formatDuration(Math.max(...points.map((point) => point.maxPeriodMs))),
    oadrReportDescription: points.map(
      (point): ReportDescription => ({
        rID: point.rID,
        ...(point.resourceID === undefined ? {} : { reportDataSource: { resourceID: [point.resourceID] } }),
        reportType: point.reportType,
        ...(point.itemBase === undefined ? {} : { itemBase: point.itemBase }),
        readingType: point.readingType,
        oadrSamplingRate: { oadrMinPeriod: formatDuration(point.minPeriodMs), oadrMaxPeriod: formatDuration(point.maxPeriodMs), oadrOnChange: point.onChange },
      }),
    ),
    reportRequestID: '0',
    reportSpecifierID,
    reportName: `METADATA_${points[0]!.reportName}` as OadrReport['reportName'],
    createdDateTime: formatDateTime(nowMs),
  }));
}

export type ReadRequestsResult =
  | { readonly ok: true; readonly requests: readonly StoredReportRequest[]; readonly metadataRequestIDs: readonly string[] }
  | { readonly ok: false; readonly responseCode: ResponseCode; readonly description: string };

/**
 * Reads the report requests of an oadrCreateReport or oadrRegisteredReport. A request for
 * reportSpecifierID METADATA asks the VEN to register its reports again (rule 306). Any unknown
 * reportSpecifierID or rID refuses the whole message with 452 (TH R0_8190), so nothing half-applies.
 */
export function readReportRequests(requests: readonly OadrReportRequest[], capabilities: readonly ReportCapability[], nowMs: number): ReadRequestsResult {
  const accepted: StoredReportRequest[] = [];
  const metadataRequestIDs: string[] = [];
  for (const { reportRequestID, reportSpecifier } of requests) {
    if (reportSpecifier.reportSpecifierID === 'METADATA') {
      metadataRequestIDs.push(reportRequestID);
      continue;
    }
    const points = capabilities.filter((capability) => specifierIdOf(capability) === reportSpecifier.reportSpecifierID);
    if (points.length === 0) {
      return { ok: false, responseCode: ResponseCode.INVALID_ID, description: `unknown reportSpecifierID ${reportSpecifier.reportSpecifierID}` };
    }
    const rIDs = reportSpecifier.specifierPayload.map((payload) => payload.rID);
    const unknown = rIDs.find((rID) => !points.some((point) => point.rID === rID));
    if (unknown !== undefined) {
      return { ok: false, responseCode: ResponseCode.INVALID_ID, description: `unknown rID ${unknown} in ${reportSpecifier.reportSpecifierID}` };
    }
    let granularityMs: number;
    let reportBackDurationMs: number;
    let startMs = nowMs;
    let endMs: number | undefined = nowMs;
    try {
      granularityMs = durationToMs(reportSpecifier.granularity);
      reportBackDurationMs = durationToMs(reportSpecifier.reportBackDuration);
      const interval = reportSpecifier.reportInterval;
      if (interval !== undefined) {
        const fromMs = parseDateTime(interval.dtstart);
        const durationMs = durationToMs(interval.duration);
        // A one-shot request over an interval already begun (HISTORY_USAGE) asks for that past; a periodic one cannot sample it.
        startMs = reportBackDurationMs === 0 ? fromMs : Math.max(nowMs, fromMs);
        endMs = durationMs === 0 ? undefined : fromMs + durationMs;
      }
    } catch {
      return { ok: false, responseCode: ResponseCode.INVALID_DATA, description: `request ${reportRequestID} has a duration without fixed length` };
    }
    if (granularityMs < 0 || reportBackDurationMs < 0) {
      return { ok: false, responseCode: ResponseCode.INVALID_DATA, description: `request ${reportRequestID} has a negative granularity or reportBackDuration` };
    }
    // History asked for at granularity 0 (as the test harness asks for HISTORY_*) comes at the
    // points' own resolution: the longest of their minimum sampling periods.
    if (reportBackDurationMs === 0 && granularityMs === 0 && startMs < nowMs) {
      granularityMs = Math.max(...points.filter((point) => rIDs.includes(point.rID)).map((point) => point.minPeriodMs));
    }
    // A one-shot request over the past is read sample by sample at once: a year at one second would never end.
    const pastSamples = reportBackDurationMs === 0 && granularityMs > 0 && startMs < nowMs ? Math.floor((Math.min(nowMs, (endMs ?? nowMs) - 1) - startMs) / granularityMs) + 1 : 1;
    if (pastSamples > MAX_REPORT_SAMPLES) {
      return {
        ok: false,
        responseCode: ResponseCode.INVALID_DATA,
        description: `request ${reportRequestID} asks for ${pastSamples} past samples, more than the ${MAX_REPORT_SAMPLES} one report carries`,
      };
    }
    accepted.push({ reportRequestID, reportSpecifierID: reportSpecifier.reportSpecifierID, rIDs, granularityMs, reportBackDurationMs, startMs, endMs });
  }
  return { ok: true, requests: accepted, metadataRequestIDs };
}

/** The most samples one report carries: a day of one-minute samples (also what is kept for a VTN out of reach). */
export const MAX_REPORT_SAMPLES = 1440;

/** True when a request is delivered more than once: it has a sending period and runs past its start. */
export function isPeriodic(request: StoredReportRequest): boolean {
  return request.reportBackDurationMs > 0 && (request.endMs === undefined || request.endMs > request.startMs);
}

/** One sample: the instant and what the application read. */
export interface ReportSample {
  readonly atMs: number;
  readonly readings: readonly ReportReading[];
}

/** The data report (oadrUpdateReport's oadrReport) carrying samples of one request (CHECKLIST §4.4). */
export function dataReport(request: StoredReportRequest, reportName: string, allSamples: readonly ReportSample[], nowMs: number): OadrReport {
  const samples = allSamples.filter((sample) => sample.readings.length > 0);
  const first = samples[0];
  const intervals = samples.map(
    (sample, index): ReportInterval => ({
      dtstart: formatDateTime(sample.atMs),
      ...(request.granularityMs > 0 ? { duration: formatDuration(request.granularityMs) } : {}),
      uid: String(index),
      oadrReportPayload: sample.readings.map(
        (reading): ReportPayload => ({
          rID: reading.rID,
          payloadBase: 'value' in reading ? { payloadFloat: reading.value } : { oadrPayloadResourceStatus: reading.status },
        }),
      ),
    }),
  );
  return {
    ...(first === undefined ? {} : { dtstart: formatDateTime(first.atMs), duration: formatDuration(samples.length * request.granularityMs) }),
    ...(intervals.length === 0 ? {} : { intervals }),
    reportRequestID: request.reportRequestID,
    reportSpecifierID: request.reportSpecifierID,
    reportName: reportName as OadrReport['reportName'],
    createdDateTime: formatDateTime(nowMs),
  };
}
