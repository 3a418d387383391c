/**
 * 2.0b report (R) cases against a VEN in pull mode (the harness plays a VTN: `R1_30xx_TH_VTN`). The
 * harness requests the reports the VEN registered, at the fastest sampling the VEN allows (at least
 * a second), and holds every oadrCreatedReport, oadrCanceledReport and oadrUpdateReport to what it
 * asked. Periodic cases take a few reporting periods: a VEN that samples no faster than once a
 * minute needs a per-case limit of several minutes. Every VEN message is held to the schema and to
 * checkConformance by the HarnessVtn.
 */
import { formatDateTime, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { CaseFailure, type CertificationCase } from '../CertificationCase.js';
import { expectCode } from '../HarnessVen.js';
import type { HarnessVtn } from '../HarnessVtn.js';
import { R1_3130_VEN, R1_3140_VEN } from './historyCases.js';
import { cancel, checkDelivery, create, fastest, nextRequestNumber, pendingMust, registered, reportsFor, requestFor, sleep, waitReports } from './reportRequests.js';
import { testEvent } from './testEvent.js';
import { clean, registeredVen, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
const pull = { role: 'ven', model: 'pull' } as const;

/** A one-shot request for every point of `metadata`: 200, not pending, one complete report. */
async function oneShot(vtn: HarnessVtn, venID: string, metadata: OadrReport, signal: AbortSignal): Promise<void> {
  const request = requestFor(metadata, 0, 0);
  const { created, from } = await create(vtn, venID, [request], signal);
  expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
  pendingMust('oadrCreatedReport', created.oadrPendingReports, [], [request.reportRequestID]);
  const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
  checkDelivery(report!, request, metadata);
  clean(vtn, from);
}

/** A periodic request until cancelled: two deliveries a reportBackDuration apart, samples at the granularity, one going on from the other. */
async function periodic(vtn: HarnessVtn, venID: string, metadata: OadrReport, signal: AbortSignal): Promise<void> {
  const granularityMs = fastest(metadata);
  const reportBackMs = 2 * granularityMs;
  const request = requestFor(metadata, granularityMs, reportBackMs, 'PT0S');
  const { created, from } = await create(vtn, venID, [request], signal);
  expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
  pendingMust('oadrCreatedReport', created.oadrPendingReports, [request.reportRequestID], []);
  await waitReports(vtn, from, request.reportRequestID, 1, signal);
  const firstSeen = Date.now();
  const [first, second] = await waitReports(vtn, from, request.reportRequestID, 2, signal);
  const gap = Date.now() - firstSeen;
  for (const report of [first!, second!]) {
    checkDelivery(report, request, metadata);
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
}

export const R1_3010_VEN: VenCase = {
  id: 'R1_3010_TH_VTN',
  title: 'A one-shot TELEMETRY_STATUS request is answered 200 and followed by one report with every requested point',
  ...pull,
  checks: ['CHECKLIST 4.3 (no reportInterval: one-shot)', 'CHECKLIST 4.4', 'TH R0_8010'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    await oneShot(vtn, venID, status, signal);
  },
};

export const R1_3020_VEN: VenCase = {
  id: 'R1_3020_TH_VTN',
  title: 'A periodic TELEMETRY_STATUS request until cancelled: deliveries every reportBackDuration, samples at the granularity',
  ...pull,
  checks: ['CHECKLIST 4.3 (reportInterval duration 0: until cancelled)', 'CHECKLIST 4.4', 'TH R0_8020'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    await periodic(vtn, venID, status, signal);
  },
};

export const R1_3025_VEN: VenCase = {
  id: 'R1_3025_TH_VTN',
  title: 'A TELEMETRY_STATUS request starting later (granularity 0: a sample at each delivery): nothing before its start, then deliveries',
  ...pull,
  checks: ['CHECKLIST 4.3 (reportInterval dtstart; granularity 0)', 'TH R0_8025'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const periodMs = fastest(status);
    const request = requestFor(status, 0, periodMs, 'PT0S');
    const startMs = Date.now() + 3 * periodMs;
    request.reportSpecifier.reportInterval = { dtstart: formatDateTime(startMs), duration: 'PT0S' };
    const { created, from } = await create(vtn, venID, [request], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [request.reportRequestID], []);
    const [first] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    // Whole seconds on the wire: a report within a second of the start is on time.
    if (Date.now() < startMs - 1_000) throw new CaseFailure(`a report for the request starting at ${request.reportSpecifier.reportInterval.dtstart} came ${startMs - Date.now()} ms before its start`);
    checkDelivery(first!, request, status);
    await cancel(vtn, venID, [request.reportRequestID], false, signal);
    clean(vtn, from);
  },
};

export const R1_3027_VEN: VenCase = {
  id: 'R1_3027_TH_VTN',
  title: 'A periodic request with a reportBackDuration of three samples: the VEN waits for it, then delivers the samples together',
  ...pull,
  checks: ['CHECKLIST 4.3 (reportBackDuration)', 'CHECKLIST 4.4', 'TH R0_8027'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const periodMs = fastest(status);
    const request = requestFor(status, periodMs, 3 * periodMs, 'PT0S');
    const { created, from } = await create(vtn, venID, [request], signal);
    const accepted = Date.now();
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    const [first] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    const waited = Date.now() - accepted;
    if (waited < 2 * periodMs) throw new CaseFailure(`the first delivery came ${waited} ms after the request, the reportBackDuration is ${request.reportSpecifier.reportBackDuration}`);
    checkDelivery(first!, request, status);
    const samples = (first!.intervals ?? []).length;
    if (samples < 2 || samples > 3) throw new CaseFailure(`the first delivery carries ${samples} samples, a reportBackDuration of three granularities holds three`);
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
      reportRequestID: `th-metadata-${nextRequestNumber()}`,
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
    const unknownSpecifier = requestFor({ ...status, reportSpecifierID: `th-no-such-report-${nextRequestNumber()}` }, 0, 0);
    const unknownRid = requestFor(status, 0, 0, undefined, [`th-no-such-rid-${nextRequestNumber()}`]);
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

export const R1_3150_VEN: VenCase = {
  id: 'R1_3150_TH_VTN',
  title: 'A one-shot TELEMETRY_USAGE request is answered 200 and followed by one report with every requested point',
  ...pull,
  checks: ['CHECKLIST 4.3', 'CHECKLIST 4.4', 'TH R0_8150'],
  async run({ vtn }, signal) {
    const { venID, usage } = registered(vtn);
    await oneShot(vtn, venID, usage, signal);
  },
};

export const R1_3160_VEN: VenCase = {
  id: 'R1_3160_TH_VTN',
  title: 'A periodic TELEMETRY_USAGE request: two deliveries a reportBackDuration apart, samples at the granularity',
  ...pull,
  checks: ['CHECKLIST 4.3', 'CHECKLIST 4.4', 'TH R0_8160'],
  async run({ vtn }, signal) {
    const { venID, usage } = registered(vtn);
    await periodic(vtn, venID, usage, signal);
  },
};

export const R1_3030_VEN: VenCase = {
  id: 'R1_3030_TH_VTN',
  title: 'Two periodic TELEMETRY_STATUS requests, the second starting later: both pending, each delivered, none sampled before its start',
  ...pull,
  checks: ['CHECKLIST 4.3 (reportInterval dtstart)', 'CHECKLIST 4.4', 'TH R0_8030'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const periodMs = fastest(status);
    const now = requestFor(status, periodMs, periodMs, 'PT0S');
    const later = requestFor(status, periodMs, periodMs, 'PT0S');
    const laterStart = Date.now() + 3 * periodMs;
    later.reportSpecifier.reportInterval = { dtstart: formatDateTime(laterStart), duration: 'PT0S' };
    const { created, from } = await create(vtn, venID, [now, later], signal);
    expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport', created.oadrPendingReports, [now.reportRequestID, later.reportRequestID], []);
    const [early] = await waitReports(vtn, from, now.reportRequestID, 1, signal);
    checkDelivery(early!, now, status);
    const [first] = await waitReports(vtn, from, later.reportRequestID, 1, signal);
    checkDelivery(first!, later, status);
    const sampledAt = (first!.intervals ?? []).map((i) => Date.parse(i.dtstart ?? first!.dtstart ?? ''));
    // Whole seconds on the wire: a sample stamped within a second of the start is on time.
    if (sampledAt.some((t) => t < laterStart - 1_000)) throw new CaseFailure(`the request starting at ${later.reportSpecifier.reportInterval.dtstart} has a sample from before it`);
    await cancel(vtn, venID, [now.reportRequestID, later.reportRequestID], false, signal);
    clean(vtn, from);
  },
};

export const R1_3060_VEN: VenCase = {
  id: 'R1_3060_TH_VTN',
  title: 'A report request piggy-backed on oadrRegisteredReport is answered with oadrCreatedReport 200 and run',
  ...pull,
  checks: ['CHECKLIST 4.2 (oadrRegisteredReport may carry requests)', 'TH R0_8060'],
  async run({ vtn, pollsToAnswer }, signal) {
    const { venID, status } = registered(vtn);
    const metadata: OadrReportRequest = {
      reportRequestID: `th-metadata-${nextRequestNumber()}`,
      reportSpecifier: { reportSpecifierID: 'METADATA', granularity: 'PT0S', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'METADATA', readingType: 'x-notApplicable' }] },
    };
    const request = requestFor(status, 0, 0);
    vtn.piggyBack = [request];
    const { created, from } = await create(vtn, venID, [metadata], signal);
    expectCode('oadrCreatedReport (METADATA)', created.eiResponse.responseCode, '200');
    await vtn.waitFor('oadrRegisterReport', from, signal);
    const answered = await vtn.within('oadrCreatedReport', from, (pollsToAnswer ?? 2) + 1, signal, (b) => b !== created);
    if (answered === undefined) throw new CaseFailure('the VEN did not answer the report request piggy-backed on oadrRegisteredReport (no oadrCreatedReport)');
    expectCode('oadrCreatedReport (piggy-backed request)', answered.eiResponse.responseCode, '200');
    const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    checkDelivery(report!, request, status);
    clean(vtn, from);
  },
};

export const R1_3120_VEN: VenCase = {
  id: 'R1_3120_TH_VTN',
  title: 'The VTN republishes its own metadata: the VEN answers oadrRegisteredReport 200 echoing the requestID',
  ...pull,
  checks: ['CHECKLIST 1.4 step 4', 'TH R0_8120'],
  async run({ vtn }, signal) {
    const venID = registeredVen(vtn);
    const from = vtn.mark();
    const requestID = `th-vtn-metadata-${nextRequestNumber()}`;
    vtn.queue({ type: 'oadrRegisterReport', body: { requestID, oadrReport: [vtnMetadata()], venID } });
    const registeredReport = await vtn.waitFor('oadrRegisteredReport', from, signal, (b) => b.eiResponse.requestID === requestID);
    expectCode('oadrRegisteredReport', registeredReport.eiResponse.responseCode, '200');
    clean(vtn, from);
  },
};

export const R1_3170_VEN: VenCase = {
  id: 'R1_3170_TH_VTN',
  title: 'A second request while the first runs: both pending; cancelling an unknown reportRequestID is refused with 452 and leaves both running',
  ...pull,
  checks: ['CHECKLIST 4.3 (oadrPendingReports)', 'CHECKLIST 2.2 (452: unknown reportRequestID)', 'TH R0_8170'],
  async run({ vtn }, signal) {
    const { venID, status, usage } = registered(vtn);
    const first = requestFor(status, fastest(status), 3_600_000, 'PT0S');
    const second = requestFor(usage, fastest(usage), 3_600_000, 'PT0S');
    const start = vtn.mark();
    expectCode('oadrCreatedReport (first)', (await create(vtn, venID, [first], signal)).created.eiResponse.responseCode, '200');
    const { created } = await create(vtn, venID, [second], signal);
    expectCode('oadrCreatedReport (second)', created.eiResponse.responseCode, '200');
    pendingMust('oadrCreatedReport (second)', created.oadrPendingReports, [first.reportRequestID, second.reportRequestID], []);
    const unknownFrom = vtn.mark();
    const requestID = `th-cancel-unknown-${nextRequestNumber()}`;
    vtn.queue({ type: 'oadrCancelReport', body: { requestID, reportRequestID: [`th-no-such-request-${nextRequestNumber()}`], reportToFollow: false, venID } });
    const refused = await vtn.waitFor('oadrCanceledReport', unknownFrom, signal, (b) => b.eiResponse.requestID === requestID);
    expectCode('oadrCanceledReport (unknown reportRequestID)', refused.eiResponse.responseCode, '452');
    pendingMust('oadrCanceledReport (unknown reportRequestID)', refused.oadrPendingReports, [first.reportRequestID, second.reportRequestID], []);
    await cancel(vtn, venID, [first.reportRequestID, second.reportRequestID], false, signal);
    clean(vtn, start);
  },
};

export const G1_4015_VEN: VenCase = {
  id: 'G1_4015_TH_VTN',
  title: 'An event and a report request sent one after the other are both answered',
  ...pull,
  checks: ['rule 64', 'TH G1_4015'],
  async run({ vtn }, signal) {
    const { venID, status } = registered(vtn);
    const event = testEvent(venID);
    const request = requestFor(status, 0, 0);
    const from = vtn.mark();
    const distributeID = `th-dist-4015-${nextRequestNumber()}`;
    const reportID = `th-cr-4015-${nextRequestNumber()}`;
    vtn.events = [event];
    vtn.queue({ type: 'oadrDistributeEvent', body: { requestID: distributeID, vtnID: vtn.vtnID, oadrEvent: [event] } });
    vtn.queue({ type: 'oadrCreateReport', body: { requestID: reportID, oadrReportRequest: [request], venID } });
    const created = await vtn.waitFor('oadrCreatedEvent', from, signal, (b) => (b.eiCreatedEvent.eventResponses ?? []).some((r) => r.requestID === distributeID));
    expectCode('eventResponse', created.eiCreatedEvent.eventResponses!.find((r) => r.requestID === distributeID)!.responseCode, '200');
    const createdReport = await vtn.waitFor('oadrCreatedReport', from, signal, (b) => b.eiResponse.requestID === reportID);
    expectCode('oadrCreatedReport', createdReport.eiResponse.responseCode, '200');
    const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
    checkDelivery(report!, request, status);
    clean(vtn, from);
  },
};

/** The VTN's own metadata: one TELEMETRY_STATUS point of its own it could report. */
function vtnMetadata(): OadrReport {
  return {
    eiReportID: 'th-vtn-status',
    reportRequestID: '0',
    reportSpecifierID: 'th-vtn-status',
    reportName: 'METADATA_TELEMETRY_STATUS',
    createdDateTime: formatDateTime(Date.now()),
    duration: 'PT0S',
    oadrReportDescription: [
      {
        rID: 'th-vtn-online',
        reportType: 'x-resourceStatus',
        readingType: 'x-notApplicable',
        oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT1H', oadrOnChange: false },
      },
    ],
  };
}

/** The VEN report cases in the order a session runs them. */
export const VEN_REPORT_CASES: readonly VenCase[] = [
  R1_3010_VEN,
  R1_3020_VEN,
  R1_3025_VEN,
  R1_3027_VEN,
  R1_3030_VEN,
  R1_3040_VEN,
  R1_3045_VEN,
  R1_3060_VEN,
  R1_3070_VEN,
  R1_3090_VEN,
  R1_3120_VEN,
  R1_3130_VEN,
  R1_3140_VEN,
  R1_3150_VEN,
  R1_3160_VEN,
  R1_3170_VEN,
  R1_3180_VEN,
  R1_3190_VEN,
  G1_4015_VEN,
];
