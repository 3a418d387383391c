import { startFakePushVen, type FakePushVen } from '../helpers/fakePushVen.js';
import { expectType, simpleEvent, startHarness, type Harness } from '../helpers/harness.js';

describe('push to VENs registered with oadrHttpPullModel=false', () => {
  let h: Harness;
  let ven: FakePushVen;

  beforeEach(async () => {
    ven = await startFakePushVen();
    h = await startHarness({
      push: { initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 4, sweepIntervalMs: 60_000 },
      reports: [{ reportSpecifierID: 'feeder-3', reportName: 'TELEMETRY_USAGE', points: [{ rID: 'feeder-3-kw', itemBase: 'powerReal' }] }],
    });
  });

  afterEach(async () => {
    await h.close();
    ven.close();
  });

  const types = (): string[] => ven.received.map((r) => `${r.path.split('/').pop() ?? ''}:${r.message.type}`);

  it('pushes the VTN metadata, every event modification once, and report requests, handling synchronous replies', async () => {
    const { venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
    await h.vtn.app.pusher.idle();
    expect(types()).toEqual(['EiReport:oadrRegisterReport']);

    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev', target: { venID: [venID] } }));
    await h.vtn.app.pusher.idle();
    await h.admin('PUT', '/admin/v1/events/ev', simpleEvent({ target: { venID: [venID] }, priority: 3 }));
    await h.vtn.app.pusher.idle();
    const events = ven.received.filter((r) => r.message.type === 'oadrDistributeEvent').map((r) => expectType(r.message, 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent.eventDescriptor.modificationNumber);
    expect(events).toEqual([0, 1]);
    // Nothing is due any more: a sweep pushes nothing and a poll from the push VEN is answered (0670).
    await h.vtn.app.pusher.sweep();
    await h.vtn.app.pusher.idle();
    expect(ven.received).toHaveLength(3);
    expect(await h.drain(venID)).toEqual([]);

    await h.post('EiReport', {
      type: 'oadrRegisterReport',
      body: {
        requestID: 'meta',
        venID,
        oadrReport: [
          {
            duration: 'PT1H',
            oadrReportDescription: [{ rID: 'status', reportType: 'x-resourceStatus', readingType: 'x-notApplicable', oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT1H', oadrOnChange: true } }],
            reportRequestID: '0',
            reportSpecifierID: 'STATUS',
            reportName: 'METADATA_TELEMETRY_STATUS',
            createdDateTime: '2026-11-27T12:00:00Z',
          },
        ],
      },
    });
    const requested = await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: 'STATUS', granularity: 'PT0M', reportBackDuration: 'PT0M' });
    await h.vtn.app.pusher.idle();
    expect(types().at(-1)).toBe('EiReport:oadrCreateReport');
    const reports = (await h.admin('GET', `/admin/v1/vens/${venID}/reports`)).json as { requests: Array<{ reportRequestID: string; status: string }> };
    expect(reports.requests.find((r) => r.reportRequestID === (requested.json as { reportRequestID: string }).reportRequestID)?.status).toBe('active');
  });

  it('retries a failing VEN with backoff and delivers the event once', async () => {
    const { venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
    await h.vtn.app.pusher.idle();
    ven.failNext.count = 2;
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev', target: { venID: [venID] } }));
    await h.vtn.app.pusher.idle();
    expect(ven.received.filter((r) => r.message.type === 'oadrDistributeEvent')).toHaveLength(1);
    const metrics = await h.vtn.app.metrics.registry.getSingleMetricAsString('oadr_vtn_pushes_total');
    expect(metrics).toMatch(/message="oadrDistributeEvent",outcome="retried"} 2/);
  });

  it('leaves an event undelivered when the VEN stays down, and the sweep delivers it later', async () => {
    const { venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
    await h.vtn.app.pusher.idle();
    ven.failNext.count = 4;
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'ev', target: { venID: [venID] } }));
    await h.vtn.app.pusher.idle();
    expect(ven.received.filter((r) => r.message.type === 'oadrDistributeEvent')).toHaveLength(0);
    await h.vtn.app.pusher.sweep();
    await h.vtn.app.pusher.idle();
    expect(ven.received.filter((r) => r.message.type === 'oadrDistributeEvent')).toHaveLength(1);
  });

  it('pushes a report the VEN asked the VTN for, and takes the synchronous oadrUpdatedReport as its acknowledgement', async () => {
    const { venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
    await h.vtn.app.pusher.idle();
    await h.admin('PUT', '/admin/v1/vtn-reports/feeder-3/readings', { readings: [{ rID: 'feeder-3-kw', at: '2026-11-27T11:59:00Z', value: 321 }] });
    const specifier = { reportSpecifierID: 'feeder-3', granularity: 'PT1M', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'feeder-3-kw', readingType: 'x-notApplicable' as const }] };
    const created = await h.post('EiReport', { type: 'oadrCreateReport', body: { requestID: 'cr', oadrReportRequest: [{ reportRequestID: 'once', reportSpecifier: specifier }], venID } });
    expect(expectType(created.message, 'oadrCreatedReport').eiResponse.responseCode).toBe('200');
    await h.vtn.app.pusher.idle();
    const pushed = ven.received.filter((r) => r.message.type === 'oadrUpdateReport');
    expect(pushed.map((r) => r.path.endsWith('/EiReport'))).toEqual([true]);
    const update = expectType(pushed[0]?.message, 'oadrUpdateReport');
    expect(update.oadrReport?.[0]?.intervals?.[0]?.oadrReportPayload[0]?.payloadBase.payloadFloat).toBe(321);
    const sent = await h.vtn.app.store.transaction((tx) => tx.findSent(venID, update.requestID));
    expect(sent?.status).toBe('acked');
  });
});
