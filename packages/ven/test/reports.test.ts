import { formatDateTime, type OadrMessage, type OadrReportRequest } from '@oadr-kit/protocol';
import { dataReport, metadataReports, readReportRequests } from '../src/reports.js';
import { ReportRunner } from '../src/ReportRunner.js';
import type { StoredReportRequest } from '../src/StateStore.js';
import { VenClient } from '../src/VenClient.js';
import { DEFAULT_REPORT_CAPABILITIES, type ReportCapability } from '../src/VenOptions.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { MIN, T0 } from './helpers/events.js';
import { ManualClock } from './helpers/ManualClock.js';
import { fakeVtnTls, venOptions } from './helpers/ven.js';

function reportRequest(spec: { id?: string; specifier?: string; rIDs?: string[]; granularity?: string; back?: string; interval?: { dtstart: string; duration: string } }): OadrReportRequest {
  return {
    reportRequestID: spec.id ?? 'rr-1',
    reportSpecifier: {
      reportSpecifierID: spec.specifier ?? 'TELEMETRY_USAGE',
      granularity: spec.granularity ?? 'PT1M',
      reportBackDuration: spec.back ?? 'PT2M',
      ...(spec.interval === undefined ? {} : { reportInterval: spec.interval }),
      specifierPayload: (spec.rIDs ?? ['power']).map((rID) => ({ rID, readingType: 'x-notApplicable' })),
    },
  };
}

describe('metadata reports (CHECKLIST §4.2)', () => {
  it('registers one report per name with reportRequestID 0, a duration, sampling rates and no dtstart', () => {
    const reports = metadataReports(DEFAULT_REPORT_CAPABILITIES, T0);
    expect(reports.map((r) => [r.reportName, r.reportSpecifierID, r.reportRequestID, r.duration, r.dtstart, r.intervals])).toEqual([
      ['METADATA_TELEMETRY_STATUS', 'TELEMETRY_STATUS', '0', 'PT1H', undefined, undefined],
      ['METADATA_TELEMETRY_USAGE', 'TELEMETRY_USAGE', '0', 'PT1H', undefined, undefined],
    ]);
    expect(reports[1]?.oadrReportDescription?.[0]).toMatchObject({
      rID: 'power',
      reportType: 'usage',
      readingType: 'Direct Read',
      oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT1H', oadrOnChange: false },
    });
  });
});

describe('report specifiers of their own', () => {
  const projected: ReportCapability = { ...(DEFAULT_REPORT_CAPABILITIES[1] as ReportCapability), rID: 'forecast', readingType: 'Projected', reportSpecifierID: 'x-FORECAST' };
  const capabilities = [...DEFAULT_REPORT_CAPABILITIES, projected];

  it('registers a metadata report per specifier, named after its report name', () => {
    const reports = metadataReports(capabilities, T0);
    expect(reports.map((r) => [r.reportName, r.reportSpecifierID, r.oadrReportDescription?.map((d) => d.rID)])).toEqual([
      ['METADATA_TELEMETRY_STATUS', 'TELEMETRY_STATUS', ['status']],
      ['METADATA_TELEMETRY_USAGE', 'TELEMETRY_USAGE', ['power']],
      ['METADATA_TELEMETRY_USAGE', 'x-FORECAST', ['forecast']],
    ]);
  });

  it('matches requests on the specifier, not the report name', () => {
    const result = readReportRequests([reportRequest({ id: 'f', specifier: 'x-FORECAST', rIDs: ['forecast'] })], capabilities, T0);
    expect(result.ok && result.requests.map((r) => [r.reportSpecifierID, r.rIDs])).toEqual([['x-FORECAST', ['forecast']]]);
    expect(readReportRequests([reportRequest({ specifier: 'TELEMETRY_USAGE', rIDs: ['forecast'] })], capabilities, T0)).toMatchObject({ ok: false, description: 'unknown rID forecast in TELEMETRY_USAGE' });
  });
});

describe('readReportRequests (CHECKLIST §4.3)', () => {
  it('reads a periodic request, a one-shot request and an open-ended one', () => {
    const result = readReportRequests(
      [
        reportRequest({ id: 'periodic', interval: { dtstart: formatDateTime(T0 + MIN), duration: 'PT10M' } }),
        reportRequest({ id: 'once', specifier: 'TELEMETRY_STATUS', rIDs: ['status'], granularity: 'PT0S', back: 'PT0S' }),
        reportRequest({ id: 'open', interval: { dtstart: formatDateTime(T0 - MIN), duration: 'PT0S' } }),
      ],
      DEFAULT_REPORT_CAPABILITIES,
      T0,
    );
    expect(result.ok && result.requests).toEqual([
      { reportRequestID: 'periodic', reportSpecifierID: 'TELEMETRY_USAGE', rIDs: ['power'], granularityMs: MIN, reportBackDurationMs: 2 * MIN, startMs: T0 + MIN, endMs: T0 + 11 * MIN },
      { reportRequestID: 'once', reportSpecifierID: 'TELEMETRY_STATUS', rIDs: ['status'], granularityMs: 0, reportBackDurationMs: 0, startMs: T0, endMs: T0 },
      { reportRequestID: 'open', reportSpecifierID: 'TELEMETRY_USAGE', rIDs: ['power'], granularityMs: MIN, reportBackDurationMs: 2 * MIN, startMs: T0, endMs: undefined },
    ]);
  });

  it('reads a one-shot request over a past interval (HISTORY_USAGE) from the start of that interval, not from now', () => {
    const history = reportRequest({ id: 'history', granularity: 'PT15M', back: 'PT0S', interval: { dtstart: formatDateTime(T0 - 30 * MIN), duration: 'PT30M' } });
    const result = readReportRequests([history], DEFAULT_REPORT_CAPABILITIES, T0);
    expect(result.ok && result.requests).toEqual([
      { reportRequestID: 'history', reportSpecifierID: 'TELEMETRY_USAGE', rIDs: ['power'], granularityMs: 15 * MIN, reportBackDurationMs: 0, startMs: T0 - 30 * MIN, endMs: T0 },
    ]);
    // At granularity 0 history comes at the point's own resolution (its minimum sampling period).
    const native = reportRequest({ id: 'native', granularity: 'PT0S', back: 'PT0S', interval: { dtstart: formatDateTime(T0 - 30 * MIN), duration: 'PT30M' } });
    const minPeriodMs = DEFAULT_REPORT_CAPABILITIES.find((c) => c.rID === 'power')!.minPeriodMs;
    expect(readReportRequests([native], DEFAULT_REPORT_CAPABILITIES, T0)).toMatchObject({ ok: true, requests: [{ granularityMs: minPeriodMs, startMs: T0 - 30 * MIN }] });
    // A day of one-minute samples is the most one report carries, and is taken.
    const day = reportRequest({ id: 'day', granularity: 'PT1M', back: 'PT0S', interval: { dtstart: formatDateTime(T0 - 1440 * MIN), duration: 'P1D' } });
    expect(readReportRequests([day], DEFAULT_REPORT_CAPABILITIES, T0).ok).toBe(true);
  });

  it('treats reportSpecifierID METADATA as a request to register again (rule 306)', () => {
    expect(readReportRequests([reportRequest({ id: 'meta', specifier: 'METADATA', rIDs: [] })], DEFAULT_REPORT_CAPABILITIES, T0)).toEqual({ ok: true, requests: [], metadataRequestIDs: ['meta'] });
  });

  it.each([
    ['an unknown reportSpecifierID', reportRequest({ specifier: 'HISTORY_USAGE' }), '452', /unknown reportSpecifierID/],
    ['an unknown rID', reportRequest({ rIDs: ['power', 'voltage'] }), '452', /unknown rID voltage/],
    ['a calendar granularity', reportRequest({ granularity: 'P1M' }), '454', /fixed length/],
    ['a negative reportBackDuration', reportRequest({ back: '-PT1M' }), '454', /negative/],
    [
      'a one-shot request for more past samples than a report carries',
      reportRequest({ granularity: 'PT1M', back: 'PT0S', interval: { dtstart: formatDateTime(T0 - 1441 * MIN), duration: 'P2D' } }),
      '454',
      /asks for 1442 past samples, more than the 1440/,
    ],
  ])('refuses %s', (_name, request, code, description) => {
    const result = readReportRequests([reportRequest({ id: 'fine' }), request], DEFAULT_REPORT_CAPABILITIES, T0);
    expect(result).toMatchObject({ ok: false, responseCode: code, description: expect.stringMatching(description) });
  });
});

describe('dataReport (CHECKLIST §4.4)', () => {
  const request: StoredReportRequest = { reportRequestID: 'rr-1', reportSpecifierID: 'TELEMETRY_USAGE', rIDs: ['power'], granularityMs: MIN, reportBackDurationMs: 2 * MIN, startMs: T0, endMs: undefined };

  it('carries one interval per sample, the request IDs and the report name without METADATA_', () => {
    const report = dataReport(request, 'TELEMETRY_USAGE', [{ atMs: T0, readings: [{ rID: 'power', value: 1.5 }] }, { atMs: T0 + MIN, readings: [{ rID: 'power', value: 2 }] }], T0 + 2 * MIN);
    expect(report).toEqual({
      dtstart: formatDateTime(T0),
      duration: 'PT2M',
      intervals: [
        { dtstart: formatDateTime(T0), duration: 'PT1M', uid: '0', oadrReportPayload: [{ rID: 'power', payloadBase: { payloadFloat: 1.5 } }] },
        { dtstart: formatDateTime(T0 + MIN), duration: 'PT1M', uid: '1', oadrReportPayload: [{ rID: 'power', payloadBase: { payloadFloat: 2 } }] },
      ],
      reportRequestID: 'rr-1',
      reportSpecifierID: 'TELEMETRY_USAGE',
      reportName: 'TELEMETRY_USAGE',
      createdDateTime: formatDateTime(T0 + 2 * MIN),
    });
  });

  it('has no intervals when the application gave no readings', () => {
    expect(dataReport(request, 'TELEMETRY_USAGE', [{ atMs: T0, readings: [] }], T0).intervals).toBeUndefined();
  });
});

describe('ReportRunner', () => {
  function runner(clock: ManualClock) {
    const sent: Array<{ id: string; at: number; samples: number[] }> = [];
    const failures: unknown[] = [];
    const run = new ReportRunner(clock, {
      read: (_request, atMs) => Promise.resolve([{ rID: 'power', value: (atMs - T0) / MIN }]),
      send: (request, samples) => {
        sent.push({ id: request.reportRequestID, at: clock.now(), samples: samples.map((s) => (s.atMs - T0) / MIN) });
        return Promise.resolve();
      },
      failed: (error) => failures.push(error),
    });
    return { run, sent, failures };
  }
  const base: StoredReportRequest = { reportRequestID: 'rr', reportSpecifierID: 'TELEMETRY_USAGE', rIDs: ['power'], granularityMs: MIN, reportBackDurationMs: 2 * MIN, startMs: T0, endMs: T0 + 5 * MIN };

  it('samples every granularity, delivers every reportBackDuration, and delivers the rest at the end', async () => {
    const clock = new ManualClock(T0);
    const { run, sent } = runner(clock);
    run.start(base);
    expect(run.pending()).toEqual(['rr']);
    await clock.advance(6 * MIN);
    expect(sent).toEqual([
      { id: 'rr', at: T0 + 2 * MIN, samples: [0, 1] },
      { id: 'rr', at: T0 + 4 * MIN, samples: [2, 3] },
      { id: 'rr', at: T0 + 5 * MIN, samples: [4] },
    ]);
    expect(run.pending()).toEqual([]);
  });

  it('delivers a one-shot request once, at its start', async () => {
    const clock = new ManualClock(T0);
    const { run, sent } = runner(clock);
    run.start({ ...base, granularityMs: 0, reportBackDurationMs: 0, startMs: T0 + MIN, endMs: T0 + MIN });
    expect(run.pending()).toEqual([]);
    await clock.advance(10 * MIN);
    expect(sent).toEqual([{ id: 'rr', at: T0 + MIN, samples: [1] }]);
  });

  it('delivers a one-shot request over a past interval at once, a sample per granularity stamped with its own instant', async () => {
    const clock = new ManualClock(T0);
    const { run, sent } = runner(clock);
    run.start({ ...base, granularityMs: 15 * MIN, reportBackDurationMs: 0, startMs: T0 - 30 * MIN, endMs: T0 });
    expect(run.pending()).toEqual([]);
    await clock.advance(0);
    expect(sent).toEqual([{ id: 'rr', at: T0, samples: [-30, -15] }]);
  });

  it('samples at each delivery when granularity is 0', async () => {
    const clock = new ManualClock(T0);
    const { run, sent } = runner(clock);
    run.start({ ...base, granularityMs: 0, endMs: undefined });
    await clock.advance(4 * MIN);
    expect(sent.map((s) => s.samples)).toEqual([[2], [4]]);
  });

  it('stops on cancel, with a last delivery when a report is to follow', async () => {
    const clock = new ManualClock(T0);
    const { run, sent } = runner(clock);
    run.start({ ...base, endMs: undefined });
    await clock.advance(3 * MIN);
    await run.cancel('rr', true);
    await clock.advance(10 * MIN);
    expect(sent.map((s) => s.samples)).toEqual([[0, 1], [2, 3]]);
    run.start({ ...base, reportRequestID: 'quiet', endMs: undefined });
    await run.cancel('quiet', false);
    await clock.advance(10 * MIN);
    expect(sent).toHaveLength(2);
  });

  it('keeps the samples of a failed delivery for the next one', async () => {
    const clock = new ManualClock(T0);
    const delivered: number[][] = [];
    let failNext = true;
    const run = new ReportRunner(clock, {
      read: (_request, atMs) => Promise.resolve([{ rID: 'power', value: (atMs - T0) / MIN }]),
      send: (_request, samples) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new Error('VTN unreachable'));
        }
        delivered.push(samples.map((sample) => (sample.atMs - T0) / MIN));
        return Promise.resolve();
      },
      failed: () => undefined,
    });
    run.start({ ...base, endMs: undefined });
    await clock.advance(4 * MIN);
    expect(delivered).toEqual([[0, 1, 2, 3]]);
    await run.stop();
  });

  it('reports a failing read or delivery and keeps running', async () => {
    const clock = new ManualClock(T0);
    const failures: unknown[] = [];
    let deliveries = 0;
    const run = new ReportRunner(clock, {
      read: () => Promise.reject(new Error('sensor offline')),
      send: () => {
        deliveries++;
        return Promise.reject(new Error('VTN unreachable'));
      },
      failed: (error) => failures.push(error),
    });
    run.start({ ...base, endMs: undefined });
    await clock.advance(4 * MIN);
    expect(deliveries).toBe(2);
    expect(failures.map((f) => (f as Error).message)).toEqual(['sensor offline', 'sensor offline', 'sensor offline', 'VTN unreachable', 'sensor offline', 'sensor offline', 'VTN unreachable']);
    await run.stop();
  });
});

describe('report flow with the VTN', () => {
  let vtn: FakeVtn;
  let ven: VenClient;

  beforeEach(async () => {
    vtn = await FakeVtn.start(fakeVtnTls());
  });

  afterEach(async () => {
    await ven.stop();
    await vtn.close();
  });

  async function startVen(): Promise<void> {
    ven = new VenClient(
      venOptions(vtn, {
        handlers: {
          readReport: (request) =>
            Promise.resolve(request.reportSpecifierID === 'TELEMETRY_STATUS' ? [{ rID: 'status', status: { oadrOnline: true, oadrManualOverride: false } }] : [{ rID: 'power', value: 3.5 }]),
        },
      }),
    );
    await ven.start();
    await ven.next('registered');
  }

  it('accepts oadrCreateReport, delivers oadrUpdateReport on schedule, and cancels with a report to follow', async () => {
    await startVen();
    vtn.queue.push({
      type: 'oadrCreateReport',
      body: { requestID: 'create-1', oadrReportRequest: [reportRequest({ id: 'usage-1', granularity: 'PT1S', back: 'PT2S', interval: { dtstart: formatDateTime(Date.now()), duration: 'PT0S' } })] },
    });
    const created = await vtn.waitFor('oadrCreatedReport');
    expect(created.service).toBe('EiReport');
    expect(created.message.body).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'create-1' }, oadrPendingReports: ['usage-1'] });
    const update = await vtn.waitFor('oadrUpdateReport');
    const report = (update.message as Extract<OadrMessage, { type: 'oadrUpdateReport' }>).body.oadrReport?.[0];
    expect(report).toMatchObject({ reportRequestID: 'usage-1', reportSpecifierID: 'TELEMETRY_USAGE', reportName: 'TELEMETRY_USAGE', duration: 'PT2S' });
    expect(report?.intervals?.map((i) => i.oadrReportPayload[0]?.payloadBase)).toEqual([{ payloadFloat: 3.5 }, { payloadFloat: 3.5 }]);
    const updates = vtn.count('oadrUpdateReport');
    vtn.queue.push({ type: 'oadrCancelReport', body: { requestID: 'cancel-1', reportRequestID: ['usage-1'], reportToFollow: true } });
    const canceled = await vtn.waitFor('oadrCanceledReport');
    expect(canceled.message.body).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'cancel-1' }, oadrPendingReports: [] });
    expect(vtn.count('oadrUpdateReport')).toBe(updates + 1);
  });

  it('answers 452 for an unknown rID and for cancelling an unknown request', async () => {
    await startVen();
    vtn.queue.push({ type: 'oadrCreateReport', body: { requestID: 'create-2', oadrReportRequest: [reportRequest({ rIDs: ['nope'] })] } });
    const created = await vtn.waitFor('oadrCreatedReport');
    expect(created.message.body).toMatchObject({ eiResponse: { responseCode: '452' }, oadrPendingReports: [] });
    vtn.queue.push({ type: 'oadrCancelReport', body: { requestID: 'cancel-2', reportRequestID: ['never-requested'], reportToFollow: false } });
    const canceled = await vtn.waitFor('oadrCanceledReport');
    expect(canceled.message.body).toMatchObject({ eiResponse: { responseCode: '452', requestID: 'cancel-2' } });
  });

  it('answers a request piggy-backed on oadrRegisteredReport and re-registers its metadata on request', async () => {
    vtn.reportRequestsOnRegister = [reportRequest({ id: 'status-once', specifier: 'TELEMETRY_STATUS', rIDs: ['status'], granularity: 'PT0S', back: 'PT0S' })];
    await startVen();
    const created = await vtn.waitFor('oadrCreatedReport');
    expect(created.message.body).toMatchObject({ eiResponse: { responseCode: '200' }, oadrPendingReports: [] });
    const update = await vtn.waitFor('oadrUpdateReport');
    const payload = (update.message as Extract<OadrMessage, { type: 'oadrUpdateReport' }>).body.oadrReport?.[0]?.intervals?.[0]?.oadrReportPayload[0];
    expect(payload).toEqual({ rID: 'status', payloadBase: { oadrPayloadResourceStatus: { oadrOnline: true, oadrManualOverride: false } } });
    vtn.reportRequestsOnRegister = [];
    vtn.queue.push({ type: 'oadrCreateReport', body: { requestID: 'create-3', oadrReportRequest: [reportRequest({ id: 'meta-1', specifier: 'METADATA', rIDs: ['status'] })] } });
    const again = await vtn.waitFor('oadrRegisterReport', (r) => r.message.type === 'oadrRegisterReport' && r.message.body.reportRequestID === 'meta-1');
    expect((again.message as Extract<OadrMessage, { type: 'oadrRegisterReport' }>).body.oadrReport).toHaveLength(2);
  });

  it("answers the VTN's own oadrRegisterReport with oadrRegisteredReport", async () => {
    await startVen();
    vtn.queue.push({ type: 'oadrRegisterReport', body: { requestID: 'vtn-meta', venID: 'ven-assigned-1' } });
    const answer = await vtn.waitFor('oadrRegisteredReport');
    expect(answer.message.body).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'vtn-meta' } });
  });
});
