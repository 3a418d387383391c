/**
 * 2.0b report (R) cases against a VTN in pull mode (the harness plays a pull VEN: `R1_30xx_TH_VEN`).
 * A VTN asks for reports when its operator says so, so most cases prompt the operator (VtnUnderTest
 * `operator`) and then hold the oadrCreateReport / oadrCancelReport that arrives by poll to what was
 * asked. The harness VEN registers telemetry metadata sampled as fast as once a second, so periodic
 * requests finish within a run. Every VTN message is held to the schema and checkConformance.
 */
import { durationToMs, parseDateTime, type MessageBody, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode, HarnessVen } from '../HarnessVen.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { VTN_REPORT_SCHEDULE_CASES } from './reportScheduleCases.js';
import { accept, acknowledgeCancel, cancellation, cancelled, checkAgainstMetadata, dataReport, deliver, fastMetadata, prepare, requested, requestedTogether, sleep, update } from './reportExchange.js';
import { acceptPiggyBacked, answer, drainPolls, ensureRegistered, pollFor, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
type Requested = Awaited<ReturnType<typeof requested>>;
const pull = { role: 'vtn', model: 'pull' } as const;

/** A one-shot request (no reportInterval), accepted, answered with one report (R1_3010 status, R1_3150 usage). */
function oneShot(id: string, which: 'status' | 'usage', title: string, checks: string[]): VtnCase {
  return {
    id,
    title,
    ...pull,
    checks,
    unavailable: needsOperator,
    async run(context, signal) {
      const specifier = (await prepare(context.ven))[which];
      const { create, request } = await requested(context, { specifier, granularity: 'PT0S', reportBackDuration: 'PT0S' }, signal);
      await accept(context.ven, create, []);
      await deliver(context.ven, dataReport(request, specifier, Date.now(), 1));
    },
  };
}

export const R1_3010 = oneShot('R1_3010_TH_VEN', 'status', 'A one-shot TELEMETRY_STATUS request, answered with one report the VTN accepts', [
  'CHECKLIST 4.3 (one-shot: no reportInterval)',
  'rule 304',
  'TH R0_8010',
]);

export const R1_3150 = oneShot('R1_3150_TH_VEN', 'usage', 'A one-shot TELEMETRY_USAGE request (power and energy), answered with one report the VTN accepts', [
  'CHECKLIST 4.3 (one-shot: no reportInterval)',
  'TH R0_8150',
]);

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

/** Acknowledges a cancellation riding on oadrUpdatedReport, which must name only the delivered request. */
async function acknowledgeRiding(ven: HarnessVen, cancel: MessageBody<'oadrCancelReport'>, reportRequestID: string): Promise<void> {
  if (cancel.reportRequestID.join() !== reportRequestID) {
    throw new CaseFailure(`the piggy-backed oadrCancelReport names ${cancel.reportRequestID.join(', ')}, expected only the delivered ${reportRequestID}`);
  }
  await acknowledgeCancel(ven, cancel, [], true);
}

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

export const R1_3045: VtnCase = {
  id: 'R1_3045_TH_VEN',
  title: 'The operator cancels a running report with reportToFollow: the VEN acknowledges with it still pending, and its last report is accepted',
  ...pull,
  checks: ['CHECKLIST 4.4 (cancel with reportToFollow)', 'TH R0_8045'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven, status, request } = await runningStatusReport(context, signal);
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID: request.reportRequestID, reportToFollow: true });
    // The VEN still owes the last report, so the request stays pending in its acknowledgement.
    await acknowledgeCancel(ven, await cancellation(ven, request.reportRequestID, true, signal), [request.reportRequestID]);
    const last = await update(ven, dataReport(request, status, Date.now() - 1_000, 1));
    expectCode('oadrUpdatedReport for the report to follow', last.eiResponse.responseCode, '200');
    // Confirming the cancellation on this answer is redundant but allowed; the VEN acknowledges it again.
    if (last.oadrCancelReport !== undefined) await acknowledgeRiding(ven, last.oadrCancelReport, request.reportRequestID);
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
    await acknowledgeRiding(ven, cancel, request.reportRequestID);
    await drainPolls(ven);
  },
};

/**
 * TH R0_8060 prompts the VTN's operator to make the VTN request a report on registration. A VTN
 * decides that how it likes (an oadr-kit VTN by its configuration's requestOnRegistration, which
 * adminApiOperator cannot change, so the self-test starts its VTN configured so), and the case asks
 * for it before registering and then holds what rides on the answer to the metadata and to the
 * request rules, as a VEN receiving it would.
 */
export const R1_3060: VtnCase = {
  id: 'R1_3060_TH_VEN',
  title: "A report request rides on the oadrRegisteredReport answering the VEN's metadata; the VEN's oadrCreatedReport and report are accepted",
  ...pull,
  checks: ['CHECKLIST 1.4 step 3', 'CHECKLIST 4.3', 'rule 304', 'TH R0_8060 (Prompt_024)'],
  unavailable: needsOperator,
  async run(context) {
    const { ven } = context;
    await ensureRegistered(ven);
    const metadata = fastMetadata(ven);
    const { usage } = metadata;
    await ask(context, { kind: 'requestOnRegistration', venID: ven.venID(), reportName: 'TELEMETRY_USAGE', reportSpecifierID: usage.reportSpecifierID });
    const registered = await ven.exchange('EiReport', { type: 'oadrRegisterReport', body: metadata.message }, 'oadrRegisteredReport');
    expectCode('oadrRegisteredReport', registered.eiResponse.responseCode, '200');
    if (registered.eiResponse.requestID !== metadata.message.requestID) {
      throw new CaseFailure(`oadrRegisteredReport answers requestID "${registered.eiResponse.requestID}", expected "${metadata.message.requestID}"`);
    }
    const requests = registered.oadrReportRequest ?? [];
    const request = requests.find((r) => r.reportSpecifier.reportSpecifierID === usage.reportSpecifierID);
    if (request === undefined) {
      const others = requests.length === 0 ? 'none' : requests.map((r) => r.reportSpecifier.reportSpecifierID).join(', ');
      throw new CaseFailure(`the oadrRegisteredReport carries no report request for ${usage.reportSpecifierID} (TELEMETRY_USAGE); it carries ${others}`);
    }
    const ids = requests.map((r) => r.reportRequestID);
    if (new Set(ids).size !== ids.length) throw new CaseFailure(`the requests on the oadrRegisteredReport share a reportRequestID (${ids.join(', ')}); each needs its own`);
    checkAgainstMetadata('the oadrRegisteredReport', request, usage);
    const spec = request.reportSpecifier;
    try {
      durationToMs(spec.reportBackDuration);
      if (spec.reportInterval !== undefined) {
        parseDateTime(spec.reportInterval.dtstart);
        durationToMs(spec.reportInterval.duration);
      }
    } catch (error) {
      throw new CaseFailure(`the piggy-backed request's reportBackDuration or reportInterval is not a usable time: ${(error as Error).message}`);
    }
    await acceptPiggyBacked(ven, metadata.message.requestID, requests);
    await deliver(ven, dataReport(request, usage, Date.now(), 1));
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
    const [first, second] = await twoRunning(context, status, usage, signal);
    await cancelEach(context, [first.request, second.request], signal);
  },
};

export const R1_3170: VtnCase = {
  id: 'R1_3170_TH_VEN',
  title: 'While two requests run, the VEN cancels an unknown reportRequestID (452); the operator then cancels each by name',
  ...pull,
  checks: ['TH R0_8170'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    const { status, usage } = await prepare(ven);
    const [first, second] = await twoRunning(context, status, usage, signal);
    const unknown = await ven.exchange(
      'EiReport',
      { type: 'oadrCancelReport', body: { requestID: HarnessVen.requestID(), reportRequestID: [`th-unknown-${HarnessVen.requestID()}`], reportToFollow: false, venID: ven.venID() } },
      'oadrCanceledReport',
    );
    expectCode('oadrCanceledReport for an unknown reportRequestID', unknown.eiResponse.responseCode, '452');
    await cancelEach(context, [first.request, second.request], signal);
  },
};

export const R1_3180: VtnCase = {
  id: 'R1_3180_TH_VEN',
  title: 'Two periodic requests in one oadrCreateReport, each with its own reportRequestID: both pending, a report for each accepted, then each cancelled by name',
  ...pull,
  checks: ['CHECKLIST 4.3 (1..n oadrReportRequest)', 'TH R0_8180'],
  unavailable: needsOperator,
  async run(context, signal) {
    const { ven } = context;
    const { status, usage } = await prepare(ven);
    const running = { granularity: 'PT1S', reportBackDuration: 'PT1M', intervalDuration: 'PT0S' };
    const { create, requests } = await requestedTogether(context, [usage, status].map((specifier) => ({ specifier, ...running })), signal);
    await accept(ven, create, requests.map((r) => r.request.reportRequestID));
    for (const { request, specifier } of requests) await deliver(ven, dataReport(request, specifier, Date.now(), 1));
    await cancelEach(context, requests.map((r) => r.request), signal);
  },
};

/** The operator starts two periodic requests, each with an ID of its own, and the VEN takes both. */
async function twoRunning(context: VtnUnderTest, status: OadrReport, usage: OadrReport, signal: AbortSignal): Promise<[Requested, Requested]> {
  const { ven } = context;
  const first = await requested(context, { specifier: status, granularity: 'PT1S', reportBackDuration: 'PT1M', intervalDuration: 'PT0S' }, signal);
  await accept(ven, first.create, [first.request.reportRequestID]);
  const second = await requested(context, { specifier: usage, granularity: 'PT1S', reportBackDuration: 'PT1M', intervalDuration: 'PT0S' }, signal);
  const both = [first.request.reportRequestID, second.request.reportRequestID];
  if (new Set(both).size !== 2) throw new CaseFailure(`both requests carry reportRequestID ${both[0] ?? ''} (each request needs its own)`);
  await accept(ven, second.create, both);
  return [first, second];
}

/** The operator cancels each request by name, in order; the pending list shrinks with each. */
async function cancelEach(context: VtnUnderTest, requests: readonly OadrReportRequest[], signal: AbortSignal): Promise<void> {
  const { ven } = context;
  for (const [i, { reportRequestID }] of requests.entries()) {
    await ask(context, { kind: 'cancelReport', venID: ven.venID(), reportRequestID, reportToFollow: false });
    await cancelled(ven, reportRequestID, requests.slice(i + 1).map((r) => r.reportRequestID), signal);
  }
}

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
export const VTN_REPORT_CASES: readonly VtnCase[] = [
  R1_3010,
  R1_3150,
  R1_3020,
  R1_3160,
  ...VTN_REPORT_SCHEDULE_CASES,
  R1_3040,
  R1_3045,
  R1_3050,
  R1_3060,
  R1_3090,
  R1_3170,
  R1_3180,
  R1_3070,
  R1_3190,
];
