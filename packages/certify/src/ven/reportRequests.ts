/**
 * How the harness VTN asks a VEN for reports and reads what it delivers: requests for the reports
 * the VEN registered, at the fastest sampling it allows, and the checks every delivery must pass
 * (CHECKLIST 4.3, 4.4).
 */
import { durationToMs, formatDateTime, formatDuration, type MessageBody, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { CaseFailure } from '../CertificationCase.js';
import { expectCode } from '../HarnessVen.js';
import type { HarnessVtn } from '../HarnessVtn.js';

let requestCounter = 0;

/** A fresh reportRequestID or requestID suffix, unique within a run. */
export function nextRequestNumber(): number {
  return ++requestCounter;
}

export interface Registered {
  readonly venID: string;
  readonly status: OadrReport;
  readonly usage: OadrReport;
}

/** The metadata reports of the VEN's latest oadrRegisterReport that registered any. */
export function latestMetadata(vtn: HarnessVtn): readonly OadrReport[] {
  const latest = vtn
    .since(0)
    .map((r) => r.message)
    .filter((m): m is Extract<typeof m, { type: 'oadrRegisterReport' }> => m.type === 'oadrRegisterReport' && (m.body.oadrReport ?? []).length > 0)
    .at(-1);
  return latest?.body.oadrReport ?? [];
}

/** The VEN's registration and its latest telemetry metadata, as the harness VTN received them. */
export function registered(vtn: HarnessVtn): Registered {
  if (vtn.registration === undefined) throw new CaseFailure('the VEN under test has not registered with the harness VTN');
  const metadata = latestMetadata(vtn);
  const named = (name: string): OadrReport => {
    const report = metadata.find((r) => r.reportName === name);
    if (report === undefined) throw new CaseFailure(`the VEN registered no ${name}, so the harness has nothing to request`);
    return report;
  };
  return { venID: vtn.registration.venID, status: named('METADATA_TELEMETRY_STATUS'), usage: named('METADATA_TELEMETRY_USAGE') };
}

/** The shortest granularity the VEN allows for every point of a report, and never below a second. */
export function fastest(metadata: OadrReport): number {
  return Math.max(1_000, ...(metadata.oadrReportDescription ?? []).map((d) => (d.oadrSamplingRate === undefined ? 0 : durationToMs(d.oadrSamplingRate.oadrMinPeriod))));
}

/** A request for every point of a registered report; without `intervalDuration` it is one-shot. */
export function requestFor(metadata: OadrReport, granularityMs: number, reportBackDurationMs: number, intervalDuration?: string, rIDs?: string[]): OadrReportRequest {
  return {
    reportRequestID: `th-rr-${Date.now().toString(36)}-${++requestCounter}`,
    reportSpecifier: {
      reportSpecifierID: metadata.reportSpecifierID,
      granularity: formatDuration(granularityMs),
      reportBackDuration: formatDuration(reportBackDurationMs),
      ...(intervalDuration === undefined ? {} : { reportInterval: { dtstart: formatDateTime(Date.now()), duration: intervalDuration } }),
      specifierPayload: (rIDs ?? (metadata.oadrReportDescription ?? []).map((d) => d.rID)).map((rID) => ({ rID, readingType: 'x-notApplicable' })),
    },
  };
}

/** Queues an oadrCreateReport and returns the oadrCreatedReport answering it (its requestID echoed). */
export async function create(vtn: HarnessVtn, venID: string, requests: OadrReportRequest[], signal: AbortSignal): Promise<{ created: MessageBody<'oadrCreatedReport'>; from: number }> {
  const from = vtn.mark();
  const requestID = `th-cr-${++requestCounter}`;
  vtn.queue({ type: 'oadrCreateReport', body: { requestID, oadrReportRequest: requests, venID } });
  const created = await vtn.waitFor('oadrCreatedReport', from, signal, (b) => b.eiResponse.requestID === requestID);
  return { created, from };
}

/** Queues an oadrCancelReport and returns the oadrCanceledReport answering it, which must be 200. */
export async function cancel(vtn: HarnessVtn, venID: string, ids: string[], reportToFollow: boolean, signal: AbortSignal): Promise<{ canceled: MessageBody<'oadrCanceledReport'>; from: number }> {
  const from = vtn.mark();
  const requestID = `th-cancel-${++requestCounter}`;
  vtn.queue({ type: 'oadrCancelReport', body: { requestID, reportRequestID: ids, reportToFollow, venID } });
  const canceled = await vtn.waitFor('oadrCanceledReport', from, signal, (b) => b.eiResponse.requestID === requestID);
  expectCode('oadrCanceledReport', canceled.eiResponse.responseCode, '200');
  return { canceled, from };
}

export function pendingMust(what: string, pending: readonly string[] | undefined, include: readonly string[], exclude: readonly string[]): void {
  const list = pending ?? [];
  const missing = include.find((id) => !list.includes(id));
  if (missing !== undefined) throw new CaseFailure(`${what}: oadrPendingReports [${list.join(', ')}] lacks the running request ${missing}`);
  const stray = exclude.find((id) => list.includes(id));
  if (stray !== undefined) throw new CaseFailure(`${what}: oadrPendingReports [${list.join(', ')}] lists ${stray}, which is not running`);
}

/** The data reports the VEN sent for a request since `from`, in order. */
export function reportsFor(vtn: HarnessVtn, from: number, reportRequestID: string): OadrReport[] {
  return vtn
    .since(from)
    .flatMap((r) => (r.message.type === 'oadrUpdateReport' ? (r.message.body.oadrReport ?? []) : []))
    .filter((r) => r.reportRequestID === reportRequestID);
}

export async function waitReports(vtn: HarnessVtn, from: number, reportRequestID: string, count: number, signal: AbortSignal): Promise<OadrReport[]> {
  await vtn.waitFor('oadrUpdateReport', from, signal, () => reportsFor(vtn, from, reportRequestID).length >= count);
  return reportsFor(vtn, from, reportRequestID);
}

/** Waits `ms`, failing the case instead when its limit comes first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CaseFailure(`the case's limit ended a ${ms} ms wait`));
      },
      { once: true },
    );
  });
}

/**
 * A data report answering `request` (CHECKLIST 4.4): its specifier and report name, at least one
 * interval, only requested rIDs and each of them, payloads of the registered kind, and with a
 * granularity, intervals that long and that far apart.
 */
export function checkDelivery(report: OadrReport, request: OadrReportRequest, metadata: OadrReport): void {
  const id = request.reportRequestID;
  if (report.reportSpecifierID !== request.reportSpecifier.reportSpecifierID) throw new CaseFailure(`report for ${id} names reportSpecifierID ${report.reportSpecifierID}, requested ${request.reportSpecifier.reportSpecifierID}`);
  const name = metadata.reportName?.replace(/^METADATA_/, '');
  if (report.reportName !== undefined && report.reportName !== name) throw new CaseFailure(`report for ${id} is named ${report.reportName}, expected ${name ?? 'the registered name'}`);
  const intervals = report.intervals ?? [];
  if (intervals.length === 0) throw new CaseFailure(`report for ${id} carries no interval`);
  const requested = request.reportSpecifier.specifierPayload.map((p) => p.rID);
  const kinds = new Map((metadata.oadrReportDescription ?? []).map((d) => [d.rID, d.reportType]));
  const seen = new Set<string>();
  for (const payload of intervals.flatMap((i) => i.oadrReportPayload)) {
    if (!requested.includes(payload.rID)) throw new CaseFailure(`report for ${id} carries rID ${payload.rID}, which was not requested`);
    const status = 'oadrPayloadResourceStatus' in payload.payloadBase && payload.payloadBase.oadrPayloadResourceStatus !== undefined;
    if (status !== (kinds.get(payload.rID) === 'x-resourceStatus')) throw new CaseFailure(`rID ${payload.rID} carries a ${status ? 'resource status' : 'float'}, its registered reportType is ${kinds.get(payload.rID) ?? 'unknown'}`);
    seen.add(payload.rID);
  }
  const missing = requested.find((rID) => !seen.has(rID));
  if (missing !== undefined) throw new CaseFailure(`report for ${id} has no value for the requested rID ${missing}`);
  const granularityMs = durationToMs(request.reportSpecifier.granularity);
  if (granularityMs === 0) return;
  for (const interval of intervals) {
    if (interval.duration !== undefined && durationToMs(interval.duration) !== granularityMs) {
      throw new CaseFailure(`report for ${id} has an interval of ${interval.duration}, the requested granularity is ${request.reportSpecifier.granularity}`);
    }
  }
  const starts = intervals.map((i) => i.dtstart ?? report.dtstart).filter((s): s is string => s !== undefined).map(Date.parse);
  starts.slice(1).forEach((start, i) => {
    if (start - starts[i]! !== granularityMs) throw new CaseFailure(`report for ${id} samples ${start - starts[i]!} ms apart, the requested granularity is ${request.reportSpecifier.granularity}`);
  });
}
