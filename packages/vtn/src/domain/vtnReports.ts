/**
 * Reports the VTN itself offers (CHECKLIST §4.2: "a VTN publishes its own metadata too"): series the
 * operator feeds through the admin API, such as a feeder's or a community's metered load, that VENs
 * may request like any report. Pure: what the metadata says, whether a VEN's request can be served,
 * when each delivery is due and what it carries.
 */
import { durationToMs, formatDateTime, formatDuration, parseDateTime, ResponseCode, type ItemBase, type OadrReport, type OadrReportRequest } from '@oadr-kit/protocol';

export interface OfferedPoint {
  rID: string;
  itemBase: 'powerReal' | 'energyReal';
  /** SI prefix of the values: k for kW or kWh. */
  siScaleCode: 'none' | 'k' | 'M';
  hertz: number;
  voltage: number;
  /** How often the point may be sampled at most and at least (oadrSamplingRate). */
  minPeriod: string;
  maxPeriod: string;
}

export interface OfferedReport {
  reportSpecifierID: string;
  reportName: 'TELEMETRY_USAGE' | 'HISTORY_USAGE';
  /** How far back the VTN keeps readings, and so can report (the metadata report's duration). */
  history: string;
  points: OfferedPoint[];
}

export interface Reading {
  rID: string;
  at: number;
  value: number;
}

/** A VEN's request the VTN serves, read once when accepted. */
export interface ServedRequest {
  reportRequestID: string;
  reportSpecifierID: string;
  rIDs: string[];
  granularityMs: number;
  reportBackDurationMs: number;
  startMs: number;
  /** undefined: until cancelled; equal to startMs: one delivery only. */
  endMs: number | undefined;
  /** For a one-shot request with a reportInterval (HISTORY_USAGE, say): the past span it asks for. */
  historyMs?: { fromMs: number; toMs: number };
}

export type ReadRequestOutcome = { ok: true; request: ServedRequest } | { ok: false; code: ResponseCode; description: string };

function itemBaseOf(point: OfferedPoint): ItemBase {
  const siScaleCode = point.siScaleCode;
  if (point.itemBase === 'energyReal') return { energyReal: { itemDescription: 'RealEnergy', itemUnits: 'Wh', siScaleCode } };
  return { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode, powerAttributes: { hertz: point.hertz, voltage: point.voltage, ac: true } } };
}

/** The VTN's metadata reports, one per offered report (reportRequestID 0, rule 311). */
export function offeredMetadata(offered: readonly OfferedReport[], nowMs: number): OadrReport[] {
  return offered.map((report) => ({
    duration: report.history,
    oadrReportDescription: report.points.map((point) => ({
      rID: point.rID,
      reportType: 'usage',
      itemBase: itemBaseOf(point),
      readingType: 'Direct Read',
      oadrSamplingRate: { oadrMinPeriod: point.minPeriod, oadrMaxPeriod: point.maxPeriod, oadrOnChange: false },
    })),
    reportRequestID: '0',
    reportSpecifierID: report.reportSpecifierID,
    reportName: `METADATA_${report.reportName}`,
    createdDateTime: formatDateTime(nowMs),
  }));
}

/**
 * Reads a VEN's request for an offered report with the semantics of CHECKLIST §4.3: no reportInterval
 * or a reportBackDuration of 0 is one delivery now, of the interval's past span when it has one
 * (HISTORY_USAGE) and else of the newest readings; otherwise a delivery every reportBackDuration from
 * the interval's start to its end (duration 0: until cancelled). An unknown specifier or rID is 452
 * (TH R0_8190); a granularity below a point's oadrMinPeriod is 454.
 */
export function readVenRequest(request: OadrReportRequest, offered: readonly OfferedReport[], nowMs: number): ReadRequestOutcome {
  const { reportSpecifier, reportRequestID } = request;
  const report = offered.find((r) => r.reportSpecifierID === reportSpecifier.reportSpecifierID);
  if (report === undefined) return { ok: false, code: ResponseCode.INVALID_ID, description: `the VTN offers no report ${reportSpecifier.reportSpecifierID}` };
  const rIDs = reportSpecifier.specifierPayload.map((p) => p.rID);
  const unknown = rIDs.find((rID) => !report.points.some((p) => p.rID === rID));
  if (unknown !== undefined) return { ok: false, code: ResponseCode.INVALID_ID, description: `unknown rID ${unknown} in ${report.reportSpecifierID}` };
  let granularityMs: number;
  let reportBackDurationMs: number;
  let startMs = nowMs;
  let endMs: number | undefined = nowMs;
  let historyMs: ServedRequest['historyMs'];
  try {
    granularityMs = durationToMs(reportSpecifier.granularity);
    reportBackDurationMs = durationToMs(reportSpecifier.reportBackDuration);
    const interval = reportSpecifier.reportInterval;
    if (interval !== undefined) {
      const fromMs = parseDateTime(interval.dtstart);
      const durationMs = durationToMs(interval.duration);
      if (reportBackDurationMs > 0) {
        startMs = Math.max(nowMs, fromMs);
        endMs = durationMs === 0 ? undefined : fromMs + durationMs;
      } else {
        historyMs = { fromMs, toMs: durationMs === 0 ? nowMs : Math.min(nowMs, fromMs + durationMs) };
      }
    }
  } catch {
    return { ok: false, code: ResponseCode.INVALID_DATA, description: `request ${reportRequestID} has a duration without fixed length` };
  }
  if (granularityMs < 0 || reportBackDurationMs < 0) return { ok: false, code: ResponseCode.INVALID_DATA, description: `request ${reportRequestID} has a negative duration` };
  for (const point of report.points.filter((p) => rIDs.includes(p.rID))) {
    if (granularityMs > 0 && granularityMs < durationToMs(point.minPeriod)) {
      return { ok: false, code: ResponseCode.INVALID_DATA, description: `granularity ${reportSpecifier.granularity} is below the minimum period ${point.minPeriod} of rID ${point.rID}` };
    }
  }
  if (endMs !== undefined && endMs < startMs) endMs = startMs;
  const served: ServedRequest = { reportRequestID, reportSpecifierID: report.reportSpecifierID, rIDs, granularityMs, reportBackDurationMs, startMs, endMs };
  return { ok: true, request: historyMs === undefined ? served : { ...served, historyMs } };
}

/** When the first delivery is due. */
export function firstDue(request: ServedRequest): number {
  if (request.endMs === request.startMs) return request.startMs;
  return request.startMs + request.reportBackDurationMs;
}

/** The delivery after the one due at `dueMs`, or undefined when that was the last (the interval's end). */
export function nextDue(request: ServedRequest, dueMs: number): number | undefined {
  if (request.endMs !== undefined && dueMs >= request.endMs) return undefined;
  const next = dueMs + request.reportBackDurationMs;
  return request.endMs === undefined ? next : Math.min(next, request.endMs);
}

/** The span a delivery due at `dueMs` covers: from the previous delivery (or the request's start) to it. */
export function deliveryWindow(request: ServedRequest, dueMs: number): { fromMs: number; toMs: number } {
  if (request.endMs === request.startMs) return request.historyMs ?? { fromMs: request.startMs, toMs: request.startMs };
  return { fromMs: Math.max(request.startMs, dueMs - request.reportBackDurationMs), toMs: dueMs };
}

/**
 * The data report for one delivery. With a granularity, one interval per step of the window, each
 * holding per rID the last reading at or before the step's end (a step with no reading yet is left
 * out). Without one, every reading inside the window, or for a one-shot request the latest reading of
 * each rID, as an instant (duration 0).
 */
export function vtnDataReport(
  request: ServedRequest,
  report: OfferedReport,
  readings: readonly Reading[],
  window: { fromMs: number; toMs: number },
  nowMs: number,
): OadrReport {
  const byTime = [...readings].sort((a, b) => a.at - b.at);
  const intervals: NonNullable<OadrReport['intervals']> = [];
  const interval = (startMs: number, durationMs: number, values: ReadonlyMap<string, number>): void => {
    if (values.size === 0) return;
    intervals.push({
      dtstart: formatDateTime(startMs),
      duration: formatDuration(durationMs),
      uid: String(intervals.length),
      oadrReportPayload: request.rIDs.filter((rID) => values.has(rID)).map((rID) => ({ rID, payloadBase: { payloadFloat: values.get(rID)! } })),
    });
  };
  const lastAtOrBefore = (atMs: number): Map<string, number> => {
    const values = new Map<string, number>();
    for (const reading of byTime) if (reading.at <= atMs && request.rIDs.includes(reading.rID)) values.set(reading.rID, reading.value);
    return values;
  };
  if (request.granularityMs > 0 && window.toMs > window.fromMs) {
    for (let stepMs = window.fromMs; stepMs < window.toMs; stepMs += request.granularityMs) {
      const durationMs = Math.min(request.granularityMs, window.toMs - stepMs);
      interval(stepMs, durationMs, lastAtOrBefore(stepMs + durationMs - 1));
    }
  } else if (window.toMs > window.fromMs) {
    for (const reading of byTime) {
      if (reading.at >= window.fromMs && reading.at < window.toMs && request.rIDs.includes(reading.rID)) interval(reading.at, 0, new Map([[reading.rID, reading.value]]));
    }
  } else {
    const upToNow = byTime.filter((r) => r.at <= window.toMs && request.rIDs.includes(r.rID));
    const newest = upToNow.at(-1);
    if (newest !== undefined) interval(newest.at, 0, lastAtOrBefore(window.toMs));
  }
  const first = intervals[0];
  const last = intervals.at(-1);
  const spanMs = first === undefined || last === undefined ? 0 : parseDateTime(last.dtstart!) + durationToMs(last.duration!) - parseDateTime(first.dtstart!);
  return {
    ...(first === undefined ? {} : { dtstart: first.dtstart, duration: formatDuration(spanMs) }),
    ...(intervals.length === 0 ? {} : { intervals }),
    reportRequestID: request.reportRequestID,
    reportSpecifierID: report.reportSpecifierID,
    reportName: report.reportName,
    createdDateTime: formatDateTime(nowMs),
  };
}
