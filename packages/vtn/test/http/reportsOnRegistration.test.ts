import type { OadrMessage, OadrReport } from '@oadr-kit/protocol';
import type { ReportRequestRecord } from '../../src/index.js';
import { startFakePushVen, type FakePushVen } from '../helpers/fakePushVen.js';
import { expectType, startHarness, type Harness } from '../helpers/harness.js';

const CREATED = '2026-11-27T12:00:00Z';

/** Metadata of one report: its points are sampled no faster than `minPeriod`. */
function metadataReport(reportSpecifierID: string, reportName: OadrReport['reportName'], rIDs: string[], minPeriod = 'PT1M'): OadrReport {
  const status = reportName === 'METADATA_TELEMETRY_STATUS';
  return {
    duration: 'PT2H',
    oadrReportDescription: rIDs.map((rID) => ({
      rID,
      reportType: status ? 'x-resourceStatus' : 'usage',
      ...(status ? {} : { itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } } }),
      readingType: status ? 'x-notApplicable' : 'Direct Read',
      oadrSamplingRate: { oadrMinPeriod: minPeriod, oadrMaxPeriod: 'PT1H', oadrOnChange: false },
    })),
    reportRequestID: '0',
    reportSpecifierID,
    reportName,
    createdDateTime: CREATED,
  };
}

const register = (venID: string, requestID: string, usageMinPeriod = 'PT1M'): OadrMessage => ({
  type: 'oadrRegisterReport',
  body: {
    requestID,
    venID,
    oadrReport: [
      metadataReport('USAGE', 'METADATA_TELEMETRY_USAGE', ['power', 'energy'], usageMinPeriod),
      metadataReport('STATUS', 'METADATA_TELEMETRY_STATUS', ['status']),
      metadataReport('HISTORY', 'METADATA_HISTORY_USAGE', ['power-history']),
    ],
  },
});

const usageUpdate = (venID: string, reportRequestID: string, requestID: string): OadrMessage => ({
  type: 'oadrUpdateReport',
  body: {
    requestID,
    venID,
    oadrReport: [
      {
        dtstart: CREATED,
        duration: 'PT1M',
        intervals: [{ dtstart: CREATED, duration: 'PT1M', oadrReportPayload: [{ rID: 'power', payloadBase: { payloadFloat: 3.5 } }] }],
        reportRequestID,
        reportSpecifierID: 'USAGE',
        reportName: 'TELEMETRY_USAGE',
        createdDateTime: CREATED,
      },
    ],
  },
});

describe('report requests piggy-backed on oadrRegisteredReport (config requestOnRegistration)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({
      push: { initialBackoffMs: 5, maxBackoffMs: 20, maxAttempts: 4, sweepIntervalMs: 60_000 },
      requestOnRegistration: [
        { reportName: 'TELEMETRY_USAGE', granularity: 'PT1M', reportBackDuration: 'PT5M' },
        { reportName: 'TELEMETRY_STATUS', granularity: 'PT0S', reportBackDuration: 'PT0S' },
      ],
    });
  });

  afterEach(async () => {
    await h.close();
  });

  const requestsOf = async (venID: string): Promise<ReportRequestRecord[]> => ((await h.admin('GET', `/admin/v1/vens/${venID}/reports`)).json as { requests: ReportRequestRecord[] }).requests;

  const registerReports = async (venID: string, requestID: string, usageMinPeriod?: string) => {
    const answer = expectType((await h.post('EiReport', register(venID, requestID, usageMinPeriod))).message, 'oadrRegisteredReport');
    expect(answer.eiResponse).toMatchObject({ responseCode: '200', requestID });
    return answer.oadrReportRequest ?? [];
  };

  it('asks a pull VEN for every listed report it registers, stored and acknowledged like an operator\'s request', async () => {
    const { venID } = await h.register();
    await h.drain(venID);
    const requests = await registerReports(venID, 'meta-1');
    // HISTORY_USAGE is registered but not listed.
    expect(requests.map((r) => r.reportSpecifier)).toEqual([
      {
        reportSpecifierID: 'USAGE',
        granularity: 'PT1M',
        reportBackDuration: 'PT5M',
        reportInterval: { dtstart: CREATED, duration: 'PT0S' },
        specifierPayload: [
          { rID: 'power', readingType: 'x-notApplicable' },
          { rID: 'energy', readingType: 'x-notApplicable' },
        ],
      },
      { reportSpecifierID: 'STATUS', granularity: 'PT0S', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'status', readingType: 'x-notApplicable' }] },
    ]);
    const ids = requests.map((r) => r.reportRequestID);
    expect(new Set(ids).size).toBe(2);
    expect(ids).not.toContain('0');
    // Requests made in one transaction are listed in reportRequestID order.
    const listed = (await requestsOf(venID)).map((r) => [r.reportRequestID, r.direction, r.status, r.onRegistration]);
    expect(listed).toEqual([...ids].sort().map((id) => [id, 'toVen', 'pending', true]));

    // The VEN answers the requests riding on the answer as it answers an oadrCreateReport, echoing its own requestID.
    const created = await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: 'meta-1' }, oadrPendingReports: [ids[0] ?? ''], venID } });
    expect(expectType(created.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    expect((await requestsOf(venID)).map((r) => r.status)).toEqual(['active', 'active']);
    const updated = await h.post('EiReport', usageUpdate(venID, ids[0] ?? '', 'up-1'));
    expect(expectType(updated.message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('200');
    // Nothing else is queued: the requests went with the answer.
    expect(await h.drain(venID)).toEqual([]);
  });

  it('leaves out a report whose points cannot be sampled as fast as configured, and asks for the others', async () => {
    const { venID } = await h.register();
    const requests = await registerReports(venID, 'meta-1', 'PT15M');
    expect(requests.map((r) => r.reportSpecifier.reportSpecifierID)).toEqual(['STATUS']);
  });

  it('replaces the requests of the previous registration when the VEN registers its reports again', async () => {
    const { venID } = await h.register();
    const first = (await registerReports(venID, 'meta-1')).map((r) => r.reportRequestID);
    const second = (await registerReports(venID, 'meta-2')).map((r) => r.reportRequestID);
    expect(second).toHaveLength(2);
    expect(second.filter((id) => first.includes(id))).toEqual([]);
    const statuses = new Map((await requestsOf(venID)).map((r) => [r.reportRequestID, r.status]));
    expect([...first, ...second].map((id) => statuses.get(id))).toEqual(['cancelled', 'cancelled', 'pending', 'pending']);
    // A delivery for a replaced request is told of its cancellation on the answer; the fresh one is taken.
    const old = expectType((await h.post('EiReport', usageUpdate(venID, first[0] ?? '', 'up-old'))).message, 'oadrUpdatedReport');
    expect(old.oadrCancelReport?.reportRequestID).toEqual([first[0]]);
    const fresh = expectType((await h.post('EiReport', usageUpdate(venID, second[0] ?? '', 'up-new'))).message, 'oadrUpdatedReport');
    expect(fresh.eiResponse.responseCode).toBe('200');
    expect(fresh.oadrCancelReport).toBeUndefined();
  });

  describe('a push VEN', () => {
    let ven: FakePushVen;

    beforeEach(async () => {
      ven = await startFakePushVen();
    });

    afterEach(() => {
      ven.close();
    });

    it('gets the requests in the synchronous answer too, and nothing more is pushed for them', async () => {
      const { venID } = await h.register({ oadrHttpPullModel: false, oadrTransportAddress: ven.url });
      await h.vtn.app.pusher.idle();
      const requests = await registerReports(venID, 'meta-push');
      expect(requests.map((r) => r.reportSpecifier.reportSpecifierID)).toEqual(['USAGE', 'STATUS']);
      const created = await h.post('EiReport', { type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: 'meta-push' }, oadrPendingReports: [], venID } });
      expect(expectType(created.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
      await h.vtn.app.pusher.idle();
      expect(ven.received.map((r) => r.message.type)).toEqual(['oadrRegisterReport']);
      expect((await requestsOf(venID)).map((r) => r.status)).toEqual(['active', 'active']);
    });
  });
});
