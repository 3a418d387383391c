/**
 * HISTORY_USAGE cases against a VEN (TH R0_8130/8140): the harness VTN asks for a past interval,
 * two intervals of 15 min ending now (or of the nearest granularity the VEN registered), and the one
 * report answering it must cover that interval from its start, sample by sample, with the requested
 * points and no other. HISTORY_USAGE is optional for a VEN that also reports telemetry (CHECKLIST
 * 4.1): without it, or without the points a case asks for, the case is skipped.
 */
import { durationToMs, formatDateTime, formatDuration, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';
import { CaseFailure, CaseSkipped, type CertificationCase } from '../CertificationCase.js';
import { expectCode } from '../HarnessVen.js';
import type { HarnessVtn } from '../HarnessVtn.js';
import { checkDelivery, create, fastest, latestMetadata, pendingMust, requestFor, waitReports } from './reportRequests.js';
import { clean, registeredVen, type VenUnderTest } from './VenUnderTest.js';

type VenCase = CertificationCase<VenUnderTest>;
type Unit = 'powerReal' | 'energyReal';
const pull = { role: 'ven', model: 'pull' } as const;

const QUARTER_HOUR = 15 * 60_000;
const INTERVALS = 2;

/** The VEN's registered HISTORY_USAGE and the rIDs a case asks for (every point, or the first of `only`), or why it cannot run. */
function historyPoints(vtn: HarnessVtn, only: Unit | undefined): { metadata: OadrReport; rIDs: string[] } | string {
  const metadata = latestMetadata(vtn).find((r) => r.reportName === 'METADATA_HISTORY_USAGE');
  if (metadata === undefined) return 'the VEN registered no HISTORY_USAGE report';
  const points = metadata.oadrReportDescription ?? [];
  const of = (unit: Unit) => points.filter((d) => d.itemBase !== undefined && unit in d.itemBase).map((d) => d.rID);
  const missing = (only === undefined ? (['powerReal', 'energyReal'] as const) : [only]).find((unit) => of(unit).length === 0);
  if (missing !== undefined) return `the VEN's HISTORY_USAGE report has no ${missing} point`;
  return { metadata, rIDs: only === undefined ? points.map((d) => d.rID) : of(only).slice(0, 1) };
}

/** 15 min, unless a point samples no faster (oadrMinPeriod) or no slower (oadrMaxPeriod) than that. */
function historyGranularity(metadata: OadrReport): number {
  const slowest = Math.min(...(metadata.oadrReportDescription ?? []).map((d) => (d.oadrSamplingRate === undefined ? QUARTER_HOUR : durationToMs(d.oadrSamplingRate.oadrMaxPeriod))));
  return Math.max(fastest(metadata), Math.min(QUARTER_HOUR, slowest));
}

/** The report covers the requested interval: one interval per granularity from its start, each with a value for every requested rID. */
function checkCoverage(report: OadrReport, request: OadrReportRequest, startMs: number): void {
  const id = request.reportRequestID;
  const { granularity, specifierPayload } = request.reportSpecifier;
  const intervals = report.intervals ?? [];
  const starts = intervals.map((i) => i.dtstart ?? report.dtstart);
  const expected = Array.from({ length: INTERVALS }, (_, k) => startMs + k * durationToMs(granularity));
  if (starts.length !== INTERVALS || starts.some((s, k) => s === undefined || Date.parse(s) !== expected[k])) {
    throw new CaseFailure(`report for ${id} has intervals from [${starts.join(', ')}], the request asks for ${INTERVALS} of ${granularity} from ${formatDateTime(startMs)}`);
  }
  for (const interval of intervals) {
    const missing = specifierPayload.map((p) => p.rID).find((rID) => !interval.oadrReportPayload.some((p) => p.rID === rID));
    if (missing !== undefined) throw new CaseFailure(`report for ${id} has no value for rID ${missing} in the interval from ${interval.dtstart ?? report.dtstart ?? 'its start'}`);
  }
}

function history(id: string, title: string, only: Unit | undefined, checks: string[]): VenCase {
  return {
    id,
    title,
    ...pull,
    checks,
    unavailable: ({ vtn }) => {
      const found = historyPoints(vtn, only);
      return typeof found === 'string' ? found : undefined;
    },
    async run({ vtn }, signal) {
      const venID = registeredVen(vtn);
      const found = historyPoints(vtn, only);
      if (typeof found === 'string') throw new CaseSkipped(found);
      const granularityMs = historyGranularity(found.metadata);
      // Whole seconds on the wire: the interval ends at the last whole second, already past.
      const startMs = Math.floor(Date.now() / 1_000) * 1_000 - INTERVALS * granularityMs;
      const request = requestFor(found.metadata, granularityMs, 0, undefined, found.rIDs);
      request.reportSpecifier.reportInterval = { dtstart: formatDateTime(startMs), duration: formatDuration(INTERVALS * granularityMs) };
      const { created, from } = await create(vtn, venID, [request], signal);
      expectCode('oadrCreatedReport', created.eiResponse.responseCode, '200');
      pendingMust('oadrCreatedReport', created.oadrPendingReports, [], [request.reportRequestID]);
      const [report] = await waitReports(vtn, from, request.reportRequestID, 1, signal);
      checkDelivery(report!, request, found.metadata);
      checkCoverage(report!, request, startMs);
      clean(vtn, from);
    },
  };
}

export const R1_3130_VEN = history(
  'R1_3130_TH_VTN',
  'HISTORY_USAGE of every point (power and energy) over the last two 15 min intervals: 200, not pending, one report covering the interval sample by sample',
  undefined,
  ['CHECKLIST 4.1 (HISTORY_USAGE)', 'CHECKLIST 4.3 (reportBackDuration 0: one-shot; reportInterval in the past)', 'CHECKLIST 4.4', 'TH R0_8130'],
);

export const R1_3140_VEN = history(
  'R1_3140_TH_VTN',
  'HISTORY_USAGE of the energy point alone over the last two 15 min intervals: one report covering the interval, carrying that rID only',
  'energyReal',
  ['CHECKLIST 4.3 (specifierPayload: the requested rIDs only)', 'CHECKLIST 4.4', 'TH R0_8140'],
);
