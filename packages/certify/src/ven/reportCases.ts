/**
 * 2.0b report (R) cases against a VEN in pull mode (the harness plays a VTN: `R1_30xx_TH_VTN`). The
 * harness requests the reports the VEN registered, at the fastest sampling the VEN allows (at least
 * a second), and holds every oadrCreatedReport, oadrCanceledReport and oadrUpdateReport to what it
 * asked. Periodic cases take a few reporting periods: a VEN that samples no faster than once a
 * minute needs a per-case limit of several minutes. Every VEN message is held to the schema and to
 * checkConformance by the HarnessVtn.
 */
import { durationToMs, formatDateTime, formatDuration, type MessageBody, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode } from '../HarnessVen.js';
import type { HarnessVtn } from '../HarnessVtn.js';
import type { VenUnderTest } from './pullCases.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;
let requestCounter = 0;

interface Registered {
  readonly venID: string;
  readonly status: OadrReport;
  readonly usage: OadrReport;
}

/** The VEN's registration and its latest telemetry metadata, as the harness VTN received them. */
function registered(vtn: HarnessVtn): Registered {
  if (vtn.registration === undefined) throw new CaseFailure('the VEN under test has not registered with the harness VTN');
  const latest = vtn
    .since(0)
    .map((r) => r.message)
    .filter((m): m is Extract<typeof m, { type: 'oadrRegisterReport' }> => m.type === 'oadrRegisterReport' && (m.body.oadrReport ?? []).length > 0)
    .at(-1);
  const named = (name: string): OadrReport => {
    const report = latest?.body.oadrReport?.find((r) => r.reportName === name);
    if (report === undefined) throw new CaseFailure(`the VEN registered no ${name}, so the harness has nothing to request`);
    return report;
  };
  return { venID: vtn.registration.venID, status: named('METADATA_TELEMETRY_STATUS'), usage: named('METADATA_TELEMETRY_USAGE') };
}

/** The shortest granularity the VEN allows for every point of a report, and never below a second. */
function fastest(metadata: OadrReport): number {
  return Math.max(1_000, ...(metadata.oadrReportDescription ?? []).map((d) => (d.oadrSamplingRate === undefined ? 0 : durationToMs(d.oadrSamplingRate.oadrMinPeriod))));
}

/** A request for every point of a registered report; without `intervalDuration` it is one-shot. */
function requestFor(metadata: OadrReport, granularityMs: number, reportBackDurationMs: number, intervalDuration?: string, rIDs?: string[]): OadrReportRequest {
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
async function create(vtn: HarnessVtn, venID: string, requests: OadrReportRequest[], signal: AbortSignal): Promise<{ created: MessageBody<'oadrCreatedReport'>; from: number }> {
  const from = vtn.mark();
  const requestID = `th-cr-${++requestCounter}`;
  vtn.queue({ type: 'oadrCreateReport', body: { requestID, oadrReportRequest: requests, venID } });
  const created = await vtn.waitFor('oadrCreatedReport', from, signal, (b) => b.eiResponse.requestID === requestID);
  return { created, from };
}

/** Queues an oadrCancelReport and returns the oadrCanceledReport answering it, which must be 200. */
async function cancel(vtn: HarnessVtn, venID: string, ids: string[], reportToFollow: boolean, signal: AbortSignal): Promise<{ canceled: MessageBody<'oadrCanceledReport'>; from: number }> {
  const from = vtn.mark();
  const requestID = `th-cancel-${++requestCounter}`;
  vtn.queue({ type: 'oadrCancelReport', body: { requestID, reportRequestID: ids, reportToFollow, venID } });
  const canceled = await vtn.waitFor('oadrCanceledReport', from, signal, (b) => b.eiResponse.requestID === requestID);
  expectCode('oadrCanceledReport', canceled.eiResponse.responseCode, '200');
  return { canceled, from };
}

function pendingMust(what: string, pending: readonly string[] | undefined, include: readonly string[], exclude: readonly string[]): void {
  const list = pending ?? [];
  const missing = include.find((id) => !list.includes(id));
  if (missing !== undefined) throw new CaseFailure(`${what}: oadrPendingReports [${list.join(', ')}] lacks the running request ${missing}`);
  const stray = exclude.find((id) => list.includes(id));
  if (stray !== undefined) throw new CaseFailure(`${what}: oadrPendingReports [${list.join(', ')}] lists ${stray}, which is not running`);
}

/** The data reports the VEN sent for a request since `from`, in order. */
function reportsFor(vtn: HarnessVtn, from: number, reportRequestID: string): OadrReport[] {
  return vtn
    .since(from)
    .flatMap((r) => (r.message.type === 'oadrUpdateReport' ? (r.message.body.oadrReport ?? []) : []))
    .filter((r) => r.reportRequestID === reportRequestID);
}

async function waitReports(vtn: HarnessVtn, from: number, reportRequestID: string, count: number, signal: AbortSignal): Promise<OadrReport[]> {
  await vtn.waitFor('oadrUpdateReport', from, signal, () => reportsFor(vtn, from, reportRequestID).length >= count);
  return reportsFor(vtn, from, reportRequestID);
}

/** Waits `ms`, failing the case instead when its limit comes first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
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
function checkDelivery(report: OadrReport, request: OadrReportRequest, metadata: OadrReport): void {
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

function clean(vtn: HarnessVtn, from: number): void {
  const problems = vtn.problemsSince(from);
  if (problems.length > 0) throw new CaseFailure(problems[0]!);
}

export const R1_3010_VEN: VenCase = {
  id: 'R1_3010_TH_VTN',
  title: 'A one-shot TELEMETRY_STATUS request is answered 200 and followed by one report with every requested point',
  ...pull,
  checks: ['CHECKLIST 4.3 (no reportInterval: one-shot)', 'CHECKLIST 4.4', 'TH R0_8010'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const request = requestFor(status, 0, 0);
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [], [request.reportRequestID]);
    const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    checkDelivery(report!, request, status);
    clean(vtn, from);
  },
};

export const R1_3020_VEN: VenCase = {
  id: 'R1_3020_TH_VTN',
  title: 'A periodic TELEMETRY_STATUS request until cancelled: deliveries every reportBackDuration, samples at the granularity',
  ...pull,
  checks: ['CHECKLIST 4.3 (reportInterval duration 0: until cancelled)', 'CHECKLIST 4.4', 'TH R0_8020'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const granularityMs = fastest(status);
    const reportBackMs = 2 * granularityMs;
    const request = requestFor(status, granularityMs, reportBackMs, 'PT0S');
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [request.reportRequestID], []);
    await waitReports(vtn, from, request.reportRequestID, 1, signal);
    const firstSeen = Date.now();
    const [first, second] = await waitReports(vtn, from, request.reportRequestID, 2, signal);
    const gap = Date.now() - firstSeen;
    for (const report of [first!, second!]) {
      checkDelivery(report, request, status);
      const samples = (report.intervals ?? []).length;
      if (samples > reportBackMs / granularityMs) throw new CaseFailure(`a delivery carries ${samples} samples, a reportBackDuration of ${request.reportSpecifier.reportBackDuration} holds ${reportBackMs / granularityMs}`);
    }
    const lastOfFirst = (first!.intervals ?? []).at(-1)?.dtstart;
    const firstOfSecond = second!.intervals?.[0]?.dtstart;
    if (lastOfFirst !== undefined && firstOfSecond !== undefined && Date.parse(firstOfSecond) - Date.parse(lastOfFirst) !== granularityMs) {
      throw new CaseFailure(`the second delivery does not go on where the first ended (${lastOfFirst} then ${firstOfSecond})`);
    }
    if (gap < reportBackMs / 2 || gap > 2 * reportBackMs) throw new CaseFailure(`deliveries came ${gap} ms apart, the reportBackDuration is ${request.reportSpecifier.reportBackDuration}`);
    await cancel(vtn, venID, [request.reportRequestID], false, signal);
    clean(vtn, from);
  },
};

export const R1_3040_VEN: VenCase = {
  id: 'R1_3040_TH_VTN',
  title: 'A cancelled periodic report is acknowledged, leaves the pending list and is not sent again',
  ...pull,
  checks: ['CHECKLIST 4.4 (cancel)', 'TH R0_8040'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const periodMs = fastest(status);
    const request = requestFor(status, periodMs, periodMs, 'PT0S');
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    checkDelivery(report!, request, status);
    const { canceled } = await cancel(vtn, venID, [request.reportRequestID], false, signal);
    pendingMust('oadrCanceledReport', canceled.oadrPendingReports, [], [request.reportRequestID]);
    const after = vtn.mark();
    await sleep(3 * periodMs, signal);
    if (reportsFor(vtn, after, request.reportRequestID).length > 0) throw new CaseFailure(`the VEN still reports ${request.reportRequestID} after acknowledging its cancellation`);
    clean(vtn, from);
  },
};

export const R1_3045_VEN: VenCase = {
  id: 'R1_3045_TH_VTN',
  title: 'Cancelled with reportToFollow, an open-ended report is delivered one last time, then never again',
  ...pull,
  checks: ['CHECKLIST 4.4 (reportToFollow)', 'TH R1_3045'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    // Delivered hourly, the request sends nothing before the cancellation: the one report seen is the last.
    const request = requestFor(status, 0, 3_600_000, 'PT0S');
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [request.reportRequestID], []);
    const { canceled, from: cancelFrom } = await cancel(vtn, venID, [request.reportRequestID], true, signal);
    pendingMust('oadrCanceledReport', canceled.oadrPendingReports, [], [request.reportRequestID]);
    const [last] = await waitReports(vtn, cancelFrom, request.reportRequestID, 1, signal);
    checkDelivery(last!, request, status);
    await vtn.polls(3, signal);
    const sent = reportsFor(vtn, cancelFrom, request.reportRequestID).length;
    if (sent !== 1) throw new CaseFailure(`the VEN sent ${sent} reports after the cancellation with reportToFollow, expected exactly one`);
    clean(vtn, from);
  },
};

export const R1_3070_VEN: VenCase = {
  id: 'R1_3070_TH_VTN',
  title: 'Asked for METADATA, the VEN answers 200 and registers its reports again, echoing the request',
  ...pull,
  checks: ['rule 306', 'rule 311', 'CHECKLIST 4.2 (reportRequestID of an answering register report)', 'TH R0_8070'],
  async run({ vtn }, signal) {
    if (vtn.registration === undefined) throw new CaseFailure('the VEN under test has not registered with the harness VTN');
    const { venID } = vtn.registration;
    const request: OadrReportRequest = {
      reportRequestID: `th-metadata-${++requestCounter}`,
      reportSpecifier: { reportSpecifierID: 'METADATA', granularity: 'PT0S', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'METADATA', readingType: 'x-notApplicable' }] },
    };
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [], [request.reportRequestID]);
    const metadata = await vtn.waitFor('oadrRegisterReport', from, signal);
    if (metadata.reportRequestID !== request.reportRequestID) {
      throw new CaseFailure(`the oadrRegisterReport answering the METADATA request carries reportRequestID "${metadata.reportRequestID ?? ''}", expected "${request.reportRequestID}"`);
    }
    if ((metadata.oadrReport ?? []).length === 0) throw new CaseFailure('the VEN re-registered no reports');
    clean(vtn, from);
  },
};

export const R1_3090_VEN: VenCase = {
  id: 'R1_3090_TH_VTN',
  title: 'Two periodic requests: oadrPendingReports lists both, then each cancellation takes one off',
  ...pull,
  checks: ['CHECKLIST 4.3 (oadrPendingReports)', 'TH R0_8090'],
  async run({ vtn }, signal) {
    const { venID, status, usage } = registered(vtn);
    const statusRequest = requestFor(status, fastest(status), 3_600_000, 'PT0S');
    const usageRequest = requestFor(usage, fastest(usage), 3_600_000, 'PT0S');
    const [a, b] = [statusRequest.reportRequestID, usageRequest.reportRequestID];
    const start = vtn.mark();
    const first = await create(vtn, venID, [statusRequest], signal);
    expectCode('oadrCreatedReport (first)', first.created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport (first)', first.created.oadrPendingReports, [a], []);
    const second = await create(vtn, venID, [usageRequest], signal);
    expectCode('oadrCreatedReport (second)', second.created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport (second)', second.created.oadrPendingReports, [a, b], []);
    const one = await cancel(vtn, venID, [a], false, signal);
    pendingMust('oadrCanceledReport (first)', one.canceled.oadrPendingReports, [b], [a]);
    const both = await cancel(vtn, venID, [b], false, signal);
    pendingMust('oadrCanceledReport (second)', both.canceled.oadrPendingReports, [], [a, b]);
    clean(vtn, start);
  },
};

export const R1_3180_VEN: VenCase = {
  id: 'R1_3180_TH_VTN',
  title: 'Two one-shot requests in one oadrCreateReport: both are answered with their own report',
  ...pull,
  checks: ['CHECKLIST 4.3', 'TH R0_8180'],
  async run({ vtn }, signal) {
    const { venID, status, usage } = registered(vtn);
    const statusRequest = requestFor(status, 0, 0);
    const usageRequest = requestFor(usage, 0, 0);
    const { created, from } = await create(vtn, venID, [statusRequest, usageRequest], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [], [statusRequest.reportRequestID, usageRequest.reportRequestID]);
    const [statusReport] = await waitReports(vtn, from, statusRequest.reportRequestID, 1, signal);
    const [usageReport] = await waitReports(vtn, from, usageRequest.reportRequestID, 1, signal);
    checkDelivery(statusReport!, statusRequest, status);
    checkDelivery(usageReport!, usageRequest, usage);
    clean(vtn, from);
  },
};

export const R1_3190_VEN: VenCase = {
  id: 'R1_3190_TH_VTN',
  title: 'A request naming an unknown reportSpecifierID, or an unknown rID, is refused with 452 and not run',
  ...pull,
  checks: ['rule 48', 'TH R0_8190'],
  async run({ vtn, pollsToAnswer }, signal) {
    const { venID, status } = registered(vtn);
    const unknownSpecifier = requestFor({ ...status, reportSpecifierID: `th-no-such-report-${++requestCounter}` }, 0, 0);
    const unknownRid = requestFor(status, 0, 0, undefined, [`th-no-such-rid-${++requestCounter}`]);
    const start = vtn.mark();
    for (const [what, request] of [['an unknown reportSpecifierID', unknownSpecifier], ['an unknown rID', unknownRid]] as const) {
      const { created } = await create(vtn, venID, [request], signal);
      expectCode(`oadrCreatedReport for ${what}`, created.eiResponse.responseCode, '452');
      pendingMust(`oadrCreatedReport for ${what}`, created.oadrPendingReports, [], [request.reportRequestID]);
    }
    await vtn.polls((pollsToAnswer ?? 2) + 1, signal);
    const ran = [unknownSpecifier, unknownRid].find((r) => reportsFor(vtn, start, r.reportRequestID).length > 0);
    if (ran !== undefined) throw new CaseFailure(`the VEN reported for the refused request ${ran.reportRequestID}`);
    clean(vtn, start);
  },
};

/** The VEN report cases in the order a session runs them. */
export const VEN_REPORT_CASES: readonly VenCase[] = [R1_3010_VEN, R1_3020_VEN, R1_3040_VEN, R1_3045_VEN, R1_3070_VEN, R1_3090_VEN, R1_3180_VEN, R1_3190_VEN];
