/**
 * How the harness VEN takes part in reports with a VTN: it registers metadata the VTN can ask for,
 * waits for the operator's request and holds it to what was asked, accepts it, delivers data and
 * answers cancellations. The report cases are built from these.
 */
import { durationToMs, formatDateTime, formatDuration, parseDateTime, type MessageBody, type OadrReport, type OadrReportRequest, type ReportPayload } from '@oadr-kit/protocol';
import { CaseFailure } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { ask } from './operatorPrompt.js';
import { drainPolls, ensureRegistered, pollFor, registerMetadata, reply, venMetadata, type AskedReport, type VtnUnderTest } from './VtnUnderTest.js';

/** The fastest sampling the harness VEN registers: short enough for periodic cases to finish quickly. */
export const MIN_PERIOD = 'PT1S';

/** What the harness VEN registers: the message, and each report it offers. */
export interface HarnessMetadata {
  readonly message: MessageBody<'oadrRegisterReport'>;
  readonly status: OadrReport;
  readonly usage: OadrReport;
  readonly history: OadrReport;
}

/**
 * The harness VEN's metadata: telemetry status and usage, sampled as often as every MIN_PERIOD, and
 * the same usage points kept as history (HISTORY_USAGE, R1_3130/3140).
 */
export function fastMetadata(ven: HarnessVen): HarnessMetadata {
  const base = venMetadata(ven, Date.now());
  const telemetry = base.body.oadrReport ?? [];
  const usage = telemetry.find((r) => r.reportName === 'METADATA_TELEMETRY_USAGE');
  const history = usage === undefined ? [] : [{ ...usage, reportSpecifierID: 'HISTORY_USAGE_1', reportName: 'METADATA_HISTORY_USAGE' as const }];
  const reports = [...telemetry, ...history].map((r) => ({
    ...r,
    oadrReportDescription: (r.oadrReportDescription ?? []).map((d) => ({ ...d, oadrSamplingRate: { oadrMinPeriod: MIN_PERIOD, oadrMaxPeriod: 'PT1H', oadrOnChange: false } })),
  }));
  const named = (name: string): OadrReport => {
    const found = reports.find((r) => r.reportName === name);
    if (found === undefined) throw new Error(`the harness metadata lacks ${name}`);
    return found;
  };
  return {
    message: { ...base.body, oadrReport: reports },
    status: named('METADATA_TELEMETRY_STATUS'),
    usage: named('METADATA_TELEMETRY_USAGE'),
    history: named('METADATA_HISTORY_USAGE'),
  };
}

/** Registers the harness VEN and its metadata, and answers whatever the VTN had queued. */
export async function prepare(ven: HarnessVen): Promise<HarnessMetadata> {
  await ensureRegistered(ven);
  const metadata = fastMetadata(ven);
  await registerMetadata(ven, { type: 'oadrRegisterReport', body: metadata.message });
  await drainPolls(ven);
  return metadata;
}

export interface Asked {
  readonly specifier: OadrReport;
  readonly granularity: string;
  readonly reportBackDuration: string;
  /** Duration of the reportInterval; none for a one-shot request. */
  readonly intervalDuration?: string;
  /** Start of the reportInterval (default: now); the request must carry it. */
  readonly intervalStart?: number;
  /** The data points to ask for (default: every one the specifier registered); the request must ask for exactly these. */
  readonly rIDs?: readonly string[];
}

/** What the operator is asked to request for `asked`. */
function askedReport(asked: Asked): AskedReport {
  const interval = asked.intervalDuration === undefined ? {} : { reportInterval: { dtstart: formatDateTime(asked.intervalStart ?? Date.now()), duration: asked.intervalDuration } };
  return {
    reportSpecifierID: asked.specifier.reportSpecifierID,
    granularity: asked.granularity,
    reportBackDuration: asked.reportBackDuration,
    ...interval,
    ...(asked.rIDs === undefined ? {} : { rIDs: [...asked.rIDs] }),
  };
}

/**
 * Asks the operator for a report request and returns the oadrCreateReport that arrives, held to what
 * was asked and to CHECKLIST 4.3 (rIDs the VEN registered, granularity not below oadrMinPeriod).
 */
export async function requested(context: VtnUnderTest, asked: Asked, signal: AbortSignal): Promise<{ create: MessageBody<'oadrCreateReport'>; request: OadrReportRequest }> {
  const { ven } = context;
  await ask(context, { kind: 'requestReport', venID: ven.venID(), ...askedReport(asked) });
  const create = await pollFor(ven, 'oadrCreateReport', signal);
  return { create, request: requestFor(create, asked) };
}

/**
 * Asks the operator for several reports in one oadrCreateReport (TH R0_8180) and returns it with its
 * requests in the order asked, each held like `requested`'s and each with a reportRequestID of its own.
 */
export async function requestedTogether(
  context: VtnUnderTest,
  asked: readonly Asked[],
  signal: AbortSignal,
): Promise<{ create: MessageBody<'oadrCreateReport'>; requests: Array<{ request: OadrReportRequest; specifier: OadrReport }> }> {
  const { ven } = context;
  await ask(context, { kind: 'requestReports', venID: ven.venID(), requests: asked.map(askedReport) });
  const create = await pollFor(ven, 'oadrCreateReport', signal);
  const carried = create.oadrReportRequest.map((r) => r.reportSpecifier.reportSpecifierID);
  if (carried.length !== asked.length) {
    throw new CaseFailure(`the oadrCreateReport carries ${carried.length} request(s) (${carried.join(', ')}); the operator asked for ${asked.length} in one`);
  }
  const requests = asked.map((a) => ({ request: requestFor(create, a), specifier: a.specifier }));
  const ids = requests.map((r) => r.request.reportRequestID);
  if (new Set(ids).size !== ids.length) throw new CaseFailure(`the requests of one oadrCreateReport share a reportRequestID (${ids.join(', ')}); each needs its own`);
  return { create, requests };
}

/** The request of `create` for the asked report, held to what was asked and to the registered metadata. */
function requestFor(create: MessageBody<'oadrCreateReport'>, asked: Asked): OadrReportRequest {
  const request = create.oadrReportRequest.find((r) => r.reportSpecifier.reportSpecifierID === asked.specifier.reportSpecifierID);
  if (request === undefined) throw new CaseFailure(`oadrCreateReport asks for no report ${asked.specifier.reportSpecifierID}`);
  const spec = request.reportSpecifier;
  checkAgainstMetadata('oadrCreateReport', request, asked.specifier);
  const granularityMs = durationToMs(spec.granularity);
  if (granularityMs !== durationToMs(asked.granularity) || durationToMs(spec.reportBackDuration) !== durationToMs(asked.reportBackDuration)) {
    throw new CaseFailure(`granularity ${spec.granularity} / reportBackDuration ${spec.reportBackDuration}, asked for ${asked.granularity} / ${asked.reportBackDuration}`);
  }
  if (asked.intervalDuration === undefined && spec.reportInterval !== undefined) throw new CaseFailure('a one-shot request carries no reportInterval');
  if (asked.intervalDuration !== undefined && (spec.reportInterval === undefined || durationToMs(spec.reportInterval.duration) !== durationToMs(asked.intervalDuration))) {
    throw new CaseFailure(`reportInterval duration ${spec.reportInterval?.duration ?? 'missing'}, asked for ${asked.intervalDuration}`);
  }
  if (asked.intervalStart !== undefined && spec.reportInterval !== undefined && parseDateTime(spec.reportInterval.dtstart) !== parseDateTime(formatDateTime(asked.intervalStart))) {
    throw new CaseFailure(`reportInterval starts ${spec.reportInterval.dtstart}, asked for ${formatDateTime(asked.intervalStart)}`);
  }
  if (asked.rIDs !== undefined) {
    const got = spec.specifierPayload.map((p) => p.rID).sort();
    if (got.join() !== [...asked.rIDs].sort().join()) throw new CaseFailure(`oadrCreateReport asks for rIDs ${got.join(', ')}, the operator asked for ${asked.rIDs.join(', ')}`);
  }
  return request;
}

/**
 * Holds a request to the metadata it asks for (CHECKLIST 4.3): data points, each registered for the
 * specifier, and a granularity not below the registered oadrMinPeriod. `carrier` names the message.
 */
export function checkAgainstMetadata(carrier: string, request: OadrReportRequest, specifier: OadrReport): void {
  const spec = request.reportSpecifier;
  if (spec.specifierPayload.length === 0) throw new CaseFailure(`${carrier} asks for no data point of ${specifier.reportSpecifierID}`);
  const registered = new Set((specifier.oadrReportDescription ?? []).map((d) => d.rID));
  const unknown = spec.specifierPayload.find((p) => !registered.has(p.rID));
  if (unknown !== undefined) throw new CaseFailure(`${carrier} asks for rID ${unknown.rID}, which the VEN never registered in ${specifier.reportSpecifierID}`);
  const granularityMs = durationToMs(spec.granularity);
  if (granularityMs !== 0 && granularityMs < durationToMs(MIN_PERIOD)) throw new CaseFailure(`granularity ${spec.granularity} is shorter than the registered oadrMinPeriod ${MIN_PERIOD}`);
}

/** Answers an oadrCreateReport with oadrCreatedReport 200 and the given pending list. */
export async function accept(ven: HarnessVen, create: MessageBody<'oadrCreateReport'>, pending: readonly string[]): Promise<void> {
  await reply(ven, { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: create.requestID }, oadrPendingReports: [...pending], venID: ven.venID() } });
}

/** A data report for a request: `count` intervals from `startMs`, one value per requested rID. */
export function dataReport(request: OadrReportRequest, specifier: OadrReport, startMs: number, count: number): OadrReport {
  const stepMs = durationToMs(request.reportSpecifier.granularity);
  const kinds = new Map((specifier.oadrReportDescription ?? []).map((d) => [d.rID, d.reportType]));
  const payload = (rID: string, i: number): ReportPayload => ({
    rID,
    payloadBase: kinds.get(rID) === 'x-resourceStatus' ? { oadrPayloadResourceStatus: { oadrOnline: true, oadrManualOverride: false } } : { payloadFloat: 1.5 + i },
  });
  return {
    dtstart: formatDateTime(startMs),
    duration: formatDuration(count * stepMs),
    intervals: Array.from({ length: count }, (_, i) => ({
      dtstart: formatDateTime(startMs + i * stepMs),
      duration: formatDuration(stepMs),
      uid: String(i),
      oadrReportPayload: request.reportSpecifier.specifierPayload.map((p) => payload(p.rID, i)),
    })),
    reportRequestID: request.reportRequestID,
    reportSpecifierID: request.reportSpecifier.reportSpecifierID,
    reportName: specifier.reportName?.replace(/^METADATA_/, '') as OadrReport['reportName'],
    createdDateTime: formatDateTime(Date.now()),
  };
}

/** Sends one oadrUpdateReport and returns the VTN's answer, which must echo its requestID. */
export async function update(ven: HarnessVen, report: OadrReport): Promise<MessageBody<'oadrUpdatedReport'>> {
  const requestID = HarnessVen.requestID();
  const reply = await ven.exchange('EiReport', { type: 'oadrUpdateReport', body: { requestID, oadrReport: [report], venID: ven.venID() } }, 'oadrUpdatedReport');
  if (reply.eiResponse.requestID !== requestID) throw new CaseFailure(`oadrUpdatedReport answers requestID "${reply.eiResponse.requestID}", expected "${requestID}"`);
  return reply;
}

/** Delivers and requires a plain 200: no error and no cancellation riding on the answer. */
export async function deliver(ven: HarnessVen, report: OadrReport): Promise<void> {
  const reply = await update(ven, report);
  expectCode(`oadrUpdatedReport for ${report.reportRequestID}`, reply.eiResponse.responseCode, '200');
  if (reply.oadrCancelReport !== undefined) throw new CaseFailure(`the VTN cancelled ${reply.oadrCancelReport.reportRequestID.join(', ')} though nobody asked it to`);
}

/** Answers an oadrCancelReport with oadrCanceledReport 200 and the pending list (by post when it rode on an answer). */
export async function acknowledgeCancel(ven: HarnessVen, cancel: MessageBody<'oadrCancelReport'>, pendingAfter: readonly string[], posted?: boolean): Promise<void> {
  const canceled = { type: 'oadrCanceledReport' as const, body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: cancel.requestID }, oadrPendingReports: [...pendingAfter], venID: ven.venID() } };
  await reply(ven, canceled, posted);
}

/** Waits for the oadrCancelReport the operator asked for, checks it names the request and whether a report is to follow. */
export async function cancellation(ven: HarnessVen, reportRequestID: string, reportToFollow: boolean, signal: AbortSignal): Promise<MessageBody<'oadrCancelReport'>> {
  const cancel = await pollFor(ven, 'oadrCancelReport', signal);
  if (!cancel.reportRequestID.includes(reportRequestID)) throw new CaseFailure(`oadrCancelReport names ${cancel.reportRequestID.join(', ')}, expected ${reportRequestID}`);
  if (cancel.reportToFollow !== reportToFollow) {
    throw new CaseFailure(reportToFollow ? 'oadrCancelReport asks for no report to follow; the operator cancelled with one' : 'oadrCancelReport asks for a report to follow; the operator cancelled without one');
  }
  return cancel;
}

/** Waits for the oadrCancelReport the operator asked for (no report to follow), answers it and requires the VTN's 200. */
export async function cancelled(ven: HarnessVen, reportRequestID: string, pendingAfter: readonly string[], signal: AbortSignal): Promise<void> {
  await acknowledgeCancel(ven, await cancellation(ven, reportRequestID, false, signal), pendingAfter);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
