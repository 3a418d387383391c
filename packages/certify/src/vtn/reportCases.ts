/**
 * 2.0b report (R) cases against a VTN in pull mode (the harness plays a pull VEN: `R1_30xx_TH_VEN`).
 * A VTN asks for reports when its operator says so, so most cases prompt the operator (VtnUnderTest
 * `operator`) and then hold the oadrCreateReport / oadrCancelReport that arrives by poll to what was
 * asked. The harness VEN registers telemetry metadata sampled as fast as once a second, so periodic
 * requests finish within a run. Every VTN message is held to the schema and checkConformance.
 */
import {
  durationToMs,
  formatDateTime,
  formatDuration,
  type MessageBody,
  type OadrReport,
  type OadrReportRequest,
  type ReportPayload,
} from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { answer, drainPolls, ensureRegistered, pollFor, venMetadata, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
const pull = { role: 'vtn', model: 'pull' } as const;
/** The fastest sampling the harness VEN registers: short enough for periodic cases to finish quickly. */
const MIN_PERIOD = 'PT1S';

/** The harness VEN's metadata: telemetry status and usage, sampled as often as every MIN_PERIOD. */
function fastMetadata(ven: HarnessVen): { message: MessageBody<'oadrRegisterReport'>; status: OadrReport; usage: OadrReport } {
  const base = venMetadata(ven, Date.now());
  const reports = (base.body.oadrReport ?? []).map((r) => ({
    ...r,
    oadrReportDescription: (r.oadrReportDescription ?? []).map((d) => ({ ...d, oadrSamplingRate: { oadrMinPeriod: MIN_PERIOD, oadrMaxPeriod: 'PT1H', oadrOnChange: false } })),
  }));
  const named = (name: string): OadrReport => {
    const found = reports.find((r) => r.reportName === name);
    if (found === undefined) throw new Error(`the harness metadata lacks ${name}`);
    return found;
  };
  return { message: { ...base.body, oadrReport: reports }, status: named('METADATA_TELEMETRY_STATUS'), usage: named('METADATA_TELEMETRY_USAGE') };
}

/** Registers the harness VEN and its metadata, and answers whatever the VTN had queued. */
export async function prepare(ven: HarnessVen): Promise<ReturnType<typeof fastMetadata>> {
  await ensureRegistered(ven);
  const metadata = fastMetadata(ven);
  const registered = await ven.exchange('EiReport', { type: 'oadrRegisterReport', body: metadata.message }, 'oadrRegisteredReport');
  expectCode('oadrRegisteredReport', registered.eiResponse.responseCode, '200');
  await drainPolls(ven);
  return metadata;
}

interface Asked {
  readonly specifier: OadrReport;
  readonly granularity: string;
  readonly reportBackDuration: string;
  /** Duration of the reportInterval; none for a one-shot request. */
  readonly intervalDuration?: string;
}

/**
 * Asks the operator for a report request and returns the oadrCreateReport that arrives, held to what
 * was asked and to CHECKLIST 4.3 (rIDs the VEN registered, granularity not below oadrMinPeriod).
 */
async function requested(context: VtnUnderTest, asked: Asked, signal: AbortSignal): Promise<{ create: MessageBody<'oadrCreateReport'>; request: OadrReportRequest }> {
  const { ven } = context;
  const interval = asked.intervalDuration === undefined ? {} : { reportInterval: { dtstart: formatDateTime(Date.now()), duration: asked.intervalDuration } };
  await ask(context, { kind: 'requestReport', venID: ven.venID(), reportSpecifierID: asked.specifier.reportSpecifierID, granularity: asked.granularity, reportBackDuration: asked.reportBackDuration, ...interval });
  const create = await pollFor(ven, 'oadrCreateReport', signal);
  const request = create.oadrReportRequest.find((r) => r.reportSpecifier.reportSpecifierID === asked.specifier.reportSpecifierID);
  if (request === undefined) throw new CaseFailure(`oadrCreateReport asks for no report ${asked.specifier.reportSpecifierID}`);
  const spec = request.reportSpecifier;
  const registered = new Set((asked.specifier.oadrReportDescription ?? []).map((d) => d.rID));
  const unknown = spec.specifierPayload.find((p) => !registered.has(p.rID));
  if (unknown !== undefined) throw new CaseFailure(`oadrCreateReport asks for rID ${unknown.rID}, which the VEN never registered in ${asked.specifier.reportSpecifierID}`);
  const granularityMs = durationToMs(spec.granularity);
  if (granularityMs !== 0 && granularityMs < durationToMs(MIN_PERIOD)) throw new CaseFailure(`granularity ${spec.granularity} is shorter than the registered oadrMinPeriod ${MIN_PERIOD}`);
  if (granularityMs !== durationToMs(asked.granularity) || durationToMs(spec.reportBackDuration) !== durationToMs(asked.reportBackDuration)) {
    throw new CaseFailure(`granularity ${spec.granularity} / reportBackDuration ${spec.reportBackDuration}, asked for ${asked.granularity} / ${asked.reportBackDuration}`);
  }
  if (asked.intervalDuration === undefined && spec.reportInterval !== undefined) throw new CaseFailure('a one-shot request carries no reportInterval');
  if (asked.intervalDuration !== undefined && (spec.reportInterval === undefined || durationToMs(spec.reportInterval.duration) !== durationToMs(asked.intervalDuration))) {
    throw new CaseFailure(`reportInterval duration ${spec.reportInterval?.duration ?? 'missing'}, asked for ${asked.intervalDuration}`);
  }
  return { create, request };
}

/** Answers an oadrCreateReport with oadrCreatedReport 200 and the given pending list; the VTN must acknowledge. */
async function accept(ven: HarnessVen, create: MessageBody<'oadrCreateReport'>, pending: readonly string[]): Promise<void> {
  const reply = await ven.exchange(
    'EiReport',
    { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: create.requestID }, oadrPendingReports: [...pending], venID: ven.venID() } },
    'oadrResponse',
  );
  expectCode('oadrResponse to oadrCreatedReport', reply.eiResponse.responseCode, '200');
}

/** A data report for a request: `count` intervals from `startMs`, one value per requested rID. */
function dataReport(request: OadrReportRequest, specifier: OadrReport, startMs: number, count: number): OadrReport {
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
async function update(ven: HarnessVen, report: OadrReport): Promise<MessageBody<'oadrUpdatedReport'>> {
  const requestID = HarnessVen.requestID();
  const reply = await ven.exchange('EiReport', { type: 'oadrUpdateReport', body: { requestID, oadrReport: [report], venID: ven.venID() } }, 'oadrUpdatedReport');
  if (reply.eiResponse.requestID !== requestID) throw new CaseFailure(`oadrUpdatedReport answers requestID "${reply.eiResponse.requestID}", expected "${requestID}"`);
  return reply;
}

/** Delivers and requires a plain 200: no error and no cancellation riding on the answer. */
async function deliver(ven: HarnessVen, report: OadrReport): Promise<void> {
  const reply = await update(ven, report);
  expectCode(`oadrUpdatedReport for ${report.reportRequestID}`, reply.eiResponse.responseCode, '200');
  if (reply.oadrCancelReport !== undefined) throw new CaseFailure(`the VTN cancelled ${reply.oadrCancelReport.reportRequestID.join(', ')} though nobody asked it to`);
}

/** Waits for the oadrCancelReport the operator asked for, answers it and requires the VTN's 200. */
async function cancelled(ven: HarnessVen, reportRequestID: string, pendingAfter: readonly string[], signal: AbortSignal): Promise<void> {
  const cancel = await pollFor(ven, 'oadrCancelReport', signal);
  if (!cancel.reportRequestID.includes(reportRequestID)) throw new CaseFailure(`oadrCancelReport names ${cancel.reportRequestID.join(', ')}, expected ${reportRequestID}`);
  if (cancel.reportToFollow) throw new CaseFailure('oadrCancelReport asks for a report to follow; the operator cancelled without one');
  const reply = await ven.exchange(
    'EiReport',
    { type: 'oadrCanceledReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: cancel.requestID }, oadrPendingReports: [...pendingAfter], venID: ven.venID() } },
    'oadrResponse',
  );
  expectCode('oadrResponse to oadrCanceledReport', reply.eiResponse.responseCode, '200');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const R1_3010: VtnCase = {
  id: 'R1_3010_TH_VEN',
  title: 'A one-shot TELEMETRY_STATUS request, answered with one report the VTN accepts',
  ...pull,
  checks: ['CHECKLIST 4.3 (one-shot: no reportInterval)', 'rule 304', 'TH R0_8010'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { status } = await prepare(context.ven);
    const { create, request } = await requested(context, { specifier: status, granularity: 'PT0S', reportBackDuration: 'PT0S' }, signal);
    await accept(context.ven, create, []);
    await deliver(context.ven, dataReport(request, status, Date.now(), 1));
  },
};

/** Periodic telemetry, two deliveries a reportBackDuration apart (R1_3020 status, R1_3160 usage). */
/** A status report the operator requested to run until cancelled, accepted by the harness VEN: where the cancel cases start. */
async function runningStatusReport(context: VtnUnderTest, signal: AbortSignal): Promise<{ ven: HarnessVen; status: OadrReport; request: OadrReportRequest }> {
  const { ven } = context;
  const { status } = await prepare(ven);
  const { create, request } = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1S', intervalDuration: 'PT0S' }, signal);
  await accept(ven, create, [request.reportRequestID]);
  return { ven, status, request };
}

function periodic(id: string, which: 'status' | 'usage', title: string, checks: string[]): VtnCase {
  return {
    id,
    title,
    ...pull,
    checks,
    unavailable: needsOperator,
    async run(context, signal) {
      const metadata = await prepare(context.ven);
      const specifier = metadata[which];
      const { create, request } = await requested(context, { specifier, granularity: 'PT1S', reportBackDuration: 'PT2S', intervalDuration: 'PT4S' }, signal);
      await accept(context.ven, create, [request.reportRequestID]);
      const start = Date.now();
      await sleep(2_000);
      await deliver(context.ven, dataReport(request, specifier, start, 2));
      await sleep(2_000);
      await deliver(context.ven, dataReport(request, specifier, start + 2_000, 2));
    },
  };
}

export const R1_3020 = periodic('R1_3020_TH_VEN', 'status', 'A periodic TELEMETRY_STATUS request (granularity PT1S, every PT2S for PT4S): two deliveries accepted', [
  'CHECKLIST 4.3 (granularity >= oadrMinPeriod, reportInterval)',
  'TH R0_8020',
]);

export const R1_3160 = periodic('R1_3160_TH_VEN', 'usage', 'A periodic TELEMETRY_USAGE request (granularity PT1S, every PT2S for PT4S): two deliveries accepted', [
  'CHECKLIST 4.3',
  'TH R0_8160',
]);

export const R1_3040: VtnCase = {
  id: 'R1_3040_TH_VEN',
  title: 'The operator cancels a running report: oadrCancelReport names it, the VEN acknowledges',
  ...pull,
  checks: ['CHECKLIST 4.4 (cancel)', 'TH R0_8040'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven, status, request } = await runningStatusReport(context, signal);
    await deliver(ven, dataReport(request, status, Date.now(), 1));
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID: request.reportRequestID, reportToFollow: false });
    await cancelled(ven, request.reportRequestID, [], signal);
  },
};

export const R1_3050: VtnCase = {
  id: 'R1_3050_TH_VEN',
  title: 'A cancellation rides on oadrUpdatedReport, naming only the delivered request, and its acknowledgement is accepted',
  ...pull,
  checks: ['CHECKLIST 4.4 (piggy-backed cancel)', 'TH R0_8050 (Prompt_023)'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven, status, request } = await runningStatusReport(context, signal);
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID: request.reportRequestID, reportToFollow: false });
    const reply = await update(ven, dataReport(request, status, Date.now(), 1));
    expectCode('oadrUpdatedReport', reply.eiResponse.responseCode, '200');
    const cancel = reply.oadrCancelReport;
    if (cancel === undefined) throw new CaseFailure('the cancellation did not ride on the oadrUpdatedReport answering the next delivery');
    if (cancel.reportRequestID.join() !== request.reportRequestID) {
      throw new CaseFailure(`the piggy-backed oadrCancelReport names ${cancel.reportRequestID.join(', ')}, expected only the delivered ${request.reportRequestID}`);
    }
    const acknowledged = await ven.exchange(
      'EiReport',
      { type: 'oadrCanceledReport', body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: cancel.requestID }, oadrPendingReports: [], venID: ven.venID() } },
      'oadrResponse',
    );
    expectCode('oadrResponse to the oadrCanceledReport of the piggy-backed cancellation', acknowledged.eiResponse.responseCode, '200');
    await drainPolls(ven);
  },
};

export const R1_3090: VtnCase = {
  id: 'R1_3090_TH_VEN',
  title: 'Two periodic requests: the VEN lists both as pending, then each is cancelled by name',
  ...pull,
  checks: ['CHECKLIST 4.3 (oadrPendingReports)', 'TH R0_8090'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    const { status, usage } = await prepare(ven);
    const first = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1M', intervalDuration: 'PT0S' }, signal);
    await accept(ven, first.create, [first.request.reportRequestID]);
    const second = await requested(context, { specifier: usage, granularity: 'PT1S', reportBackDuration: 'PT1M', intervalDuration: 'PT0S' }, signal);
    const both = [first.request.reportRequestID, second.request.reportRequestID];
    if (new Set(both).size !== 2) throw new CaseFailure(`both requests carry reportRequestID ${both[0] ?? ''} (each request needs its own)`);
    await accept(ven, second.create, both);
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID: first.request.reportRequestID, reportToFollow: false });
    await cancelled(ven, first.request.reportRequestID, [second.request.reportRequestID], signal);
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID: second.request.reportRequestID, reportToFollow: false });
    await cancelled(ven, second.request.reportRequestID, [], signal);
  },
};

export const R1_3070: VtnCase = {
  id: 'R1_3070_TH_VEN',
  title: 'Asked for its METADATA, the VTN answers 200 and sends oadrRegisterReport echoing the request',
  ...pull,
  checks: ['rule 306', 'rule 311', 'CHECKLIST 4.2 (reportRequestID of an answering register report)', 'TH R0_8070'],
  async run({ ven }, signal) {
    await prepare(ven);
    const requestID = HarnessVen.requestID();
    const reportRequestID = `th-metadata-${requestID}`;
    const created = await ven.exchange(
      'EiReport',
      {
        type: 'oadrCreateReport',
        body: {
          requestID,
          oadrReportRequest: [
            { reportRequestID, reportSpecifier: { reportSpecifierID: 'METADATA', granularity: 'PT0S', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'METADATA', readingType: 'x-notApplicable' }] } },
          ],
          venID: ven.venID(),
        },
      },
      'oadrCreatedReport',
    );
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    if (created.eiResponse.requestID !== requestID) throw new CaseFailure(`oadrCreatedReport answers requestID "${created.eiResponse.requestID}", expected "${requestID}"`);
    if ((created.oadrPendingReports ?? []).includes(reportRequestID)) throw new CaseFailure('a one-shot METADATA request is listed as pending');
    const registerReport = await pollFor(ven, 'oadrRegisterReport', signal);
    if (registerReport.reportRequestID !== reportRequestID) {
      throw new CaseFailure(`the VTN's oadrRegisterReport carries reportRequestID "${registerReport.reportRequestID ?? ''}", expected the METADATA request's "${reportRequestID}"`);
    }
    await answer(ven, { type: 'oadrRegisterReport', body: registerReport });
  },
};

export const R1_3190: VtnCase = {
  id: 'R1_3190_TH_VEN',
  title: 'A report for a reportRequestID the VTN never sent is answered with 452',
  ...pull,
  checks: ['rule 304', 'TH R0_8190'],
  async run({ ven }) {
    const { status } = await prepare(ven);
    const request: OadrReportRequest = {
      reportRequestID: `th-never-requested-${HarnessVen.requestID()}`,
      reportSpecifier: {
        reportSpecifierID: status.reportSpecifierID,
        granularity: 'PT0S',
        reportBackDuration: 'PT0S',
        specifierPayload: (status.oadrReportDescription ?? []).map((d) => ({ rID: d.rID, readingType: 'x-notApplicable' })),
      },
    };
    const reply = await update(ven, dataReport(request, status, Date.now(), 1));
    expectCode('oadrUpdatedReport for an unknown reportRequestID', reply.eiResponse.responseCode, '452');
  },
};

/** The report cases in the order a session runs them. */
export const VTN_REPORT_CASES: readonly VtnCase[] = [R1_3010, R1_3020, R1_3160, R1_3040, R1_3050, R1_3090, R1_3070, R1_3190];
