import { checkConformance, checkPayload, formatDateTime, type OadrReportRequest } from '@oadr-kit/protocol';
import { deliveryWindow, firstDue, nextDue, offeredMetadata, readVenRequest, vtnDataReport, type OfferedReport, type ServedRequest } from '../../src/domain/vtnReports.js';

const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);
const MIN = 60_000;

const FEEDER: OfferedReport = {
  reportSpecifierID: 'feeder-3',
  reportName: 'TELEMETRY_USAGE',
  history: 'P1D',
  points: [
    { rID: 'feeder-3-kw', itemBase: 'powerReal', siScaleCode: 'k', hertz: 50, voltage: 230, minPeriod: 'PT1M', maxPeriod: 'PT1H' },
    { rID: 'feeder-3-kwh', itemBase: 'energyReal', siScaleCode: 'k', hertz: 50, voltage: 230, minPeriod: 'PT1M', maxPeriod: 'PT1H' },
  ],
};

function request(extra: Partial<OadrReportRequest['reportSpecifier']> = {}, rIDs = ['feeder-3-kw']): OadrReportRequest {
  return {
    reportRequestID: 'rr-1',
    reportSpecifier: {
      reportSpecifierID: 'feeder-3',
      granularity: 'PT1M',
      reportBackDuration: 'PT5M',
      reportInterval: { dtstart: formatDateTime(T0), duration: 'PT0S' },
      specifierPayload: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
      ...extra,
    },
  };
}

function served(extra: Partial<OadrReportRequest['reportSpecifier']> = {}, rIDs?: string[]): ServedRequest {
  const read = readVenRequest(request(extra, rIDs), [FEEDER], T0);
  if (!read.ok) throw new Error(read.description);
  return read.request;
}

describe('reports the VTN offers', () => {
  it('publishes them as conforming METADATA reports, one per offered report, each point with its unit and sampling rate', () => {
    const oadrReport = offeredMetadata([FEEDER], T0);
    const message = { type: 'oadrRegisterReport' as const, body: { requestID: 'r', oadrReport, venID: 'ven' } };
    expect(() => checkPayload(message)).not.toThrow();
    expect(checkConformance(message, { now: T0 })).toEqual([]);
    expect(oadrReport[0]).toMatchObject({ reportName: 'METADATA_TELEMETRY_USAGE', reportRequestID: '0', duration: 'P1D' });
    expect(oadrReport[0]?.oadrReportDescription?.map((d) => [d.rID, Object.keys(d.itemBase ?? {})[0], d.oadrSamplingRate?.oadrMinPeriod])).toEqual([
      ['feeder-3-kw', 'powerReal', 'PT1M'],
      ['feeder-3-kwh', 'energyReal', 'PT1M'],
    ]);
    expect(offeredMetadata([], T0)).toEqual([]);
  });

  it('refuses an unknown specifier or rID with 452 and a granularity below the minimum period with 454, naming it', () => {
    expect(readVenRequest({ ...request(), reportSpecifier: { ...request().reportSpecifier, reportSpecifierID: 'other' } }, [FEEDER], T0)).toMatchObject({ ok: false, code: '452', description: expect.stringContaining('other') });
    expect(readVenRequest(request({}, ['feeder-3-kw', 'nope']), [FEEDER], T0)).toMatchObject({ ok: false, code: '452', description: expect.stringContaining('nope') });
    expect(readVenRequest(request({ granularity: 'PT10S' }), [FEEDER], T0)).toMatchObject({ ok: false, code: '454', description: expect.stringContaining('PT1M') });
    expect(readVenRequest(request({ reportBackDuration: 'P1M' }), [FEEDER], T0)).toMatchObject({ ok: false, code: '454' });
    expect(readVenRequest(request(), [FEEDER], T0)).toMatchObject({ ok: true });
  });

  it('schedules a one-shot request now, a periodic one every reportBackDuration to the end of its interval', () => {
    const oneShot = served({ reportBackDuration: 'PT0S' });
    expect([firstDue(oneShot), nextDue(oneShot, T0)]).toEqual([T0, undefined]);
    expect(deliveryWindow(oneShot, T0)).toEqual({ fromMs: T0, toMs: T0 });
    const noInterval = readVenRequest({ ...request(), reportSpecifier: { ...request().reportSpecifier, reportInterval: undefined } }, [FEEDER], T0);
    expect(noInterval.ok && firstDue(noInterval.request)).toBe(T0);

    const untilCancelled = served();
    expect(firstDue(untilCancelled)).toBe(T0 + 5 * MIN);
    expect(nextDue(untilCancelled, T0 + 5 * MIN)).toBe(T0 + 10 * MIN);
    expect(deliveryWindow(untilCancelled, T0 + 10 * MIN)).toEqual({ fromMs: T0 + 5 * MIN, toMs: T0 + 10 * MIN });

    const twelveMinutes = served({ reportInterval: { dtstart: formatDateTime(T0), duration: 'PT12M' } });
    expect(nextDue(twelveMinutes, T0 + 10 * MIN)).toBe(T0 + 12 * MIN);
    expect(deliveryWindow(twelveMinutes, T0 + 12 * MIN)).toEqual({ fromMs: T0 + 7 * MIN, toMs: T0 + 12 * MIN });
    expect(nextDue(twelveMinutes, T0 + 12 * MIN)).toBeUndefined();
  });

  it('fills a periodic delivery step by step with the last reading at or before each step, leaving out steps before the first reading', () => {
    const periodic = served({}, ['feeder-3-kw', 'feeder-3-kwh']);
    const readings = [
      { rID: 'feeder-3-kw', at: T0 + 1 * MIN, value: 10 },
      { rID: 'feeder-3-kw', at: T0 + 3 * MIN + 30_000, value: 12 },
      { rID: 'feeder-3-kwh', at: T0 + 2 * MIN, value: 100 },
    ];
    const report = vtnDataReport(periodic, FEEDER, readings, { fromMs: T0, toMs: T0 + 5 * MIN }, T0 + 5 * MIN);
    const values = report.intervals?.map((i) => [i.dtstart, i.duration, i.oadrReportPayload.map((p) => `${p.rID}=${p.payloadBase.payloadFloat}`).join(' ')]);
    expect(values).toEqual([
      [formatDateTime(T0 + 1 * MIN), 'PT1M', 'feeder-3-kw=10'],
      [formatDateTime(T0 + 2 * MIN), 'PT1M', 'feeder-3-kw=10 feeder-3-kwh=100'],
      [formatDateTime(T0 + 3 * MIN), 'PT1M', 'feeder-3-kw=12 feeder-3-kwh=100'],
      [formatDateTime(T0 + 4 * MIN), 'PT1M', 'feeder-3-kw=12 feeder-3-kwh=100'],
    ]);
    expect([report.dtstart, report.duration, report.reportName, report.reportRequestID]).toEqual([formatDateTime(T0 + MIN), 'PT4M', 'TELEMETRY_USAGE', 'rr-1']);
    const message = { type: 'oadrUpdateReport' as const, body: { requestID: 'u', oadrReport: [report], venID: 'ven' } };
    expect(() => checkPayload(message)).not.toThrow();
    expect(checkConformance(message, { now: T0 + 5 * MIN })).toEqual([]);
  });

  it('sends every reading of the window without a granularity, the asked-for past span for a one-shot request with an interval, else the newest values', () => {
    const readings = [
      { rID: 'feeder-3-kw', at: T0 - MIN, value: 7 },
      { rID: 'feeder-3-kw', at: T0 + 30_000, value: 8 },
      { rID: 'feeder-3-kw', at: T0 + 90_000, value: 9 },
    ];
    const raw = vtnDataReport(served({ granularity: 'PT0S' }), FEEDER, readings, { fromMs: T0, toMs: T0 + 5 * MIN }, T0);
    expect(raw.intervals?.map((i) => [i.dtstart, i.duration, i.oadrReportPayload[0]?.payloadBase.payloadFloat])).toEqual([
      [formatDateTime(T0 + 30_000), 'PT0S', 8],
      [formatDateTime(T0 + 90_000), 'PT0S', 9],
    ]);
    const latest = vtnDataReport(served({ reportBackDuration: 'PT0S' }), FEEDER, readings, { fromMs: T0 + MIN, toMs: T0 + MIN }, T0 + MIN);
    expect(latest.intervals?.map((i) => [i.dtstart, i.oadrReportPayload[0]?.payloadBase.payloadFloat])).toEqual([[formatDateTime(T0 + 30_000), 8]]);
    const history = served({ reportBackDuration: 'PT0S', granularity: 'PT0S', reportInterval: { dtstart: formatDateTime(T0 - 2 * MIN), duration: 'PT2M' } });
    expect([firstDue(history), deliveryWindow(history, T0)]).toEqual([T0, { fromMs: T0 - 2 * MIN, toMs: T0 }]);
    const past = vtnDataReport(history, FEEDER, readings, deliveryWindow(history, T0), T0);
    expect(past.intervals?.map((i) => i.oadrReportPayload[0]?.payloadBase.payloadFloat)).toEqual([7]);
    const reachingPastNow = served({ reportBackDuration: 'PT0S', reportInterval: { dtstart: formatDateTime(T0 - 2 * MIN), duration: 'PT0S' } });
    expect(deliveryWindow(reachingPastNow, T0)).toEqual({ fromMs: T0 - 2 * MIN, toMs: T0 });
    const empty = vtnDataReport(served({ reportBackDuration: 'PT0S' }), FEEDER, [], { fromMs: T0, toMs: T0 }, T0);
    expect(empty.intervals).toBeUndefined();
    expect(() => checkPayload({ type: 'oadrUpdateReport', body: { requestID: 'u', oadrReport: [empty], venID: 'ven' } })).not.toThrow();
  });
});
