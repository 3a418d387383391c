import { formatDateTime, type MessageBody, type OadrMessage, type OadrReportRequest } from '@oadr-kit/protocol';
import { expectType, startHarness, T0, type Harness } from '../helpers/harness.js';
import { postgresFactory, type StoreFactory } from '../helpers/stores.js';

const MIN = 60_000;
const FEEDER = {
  reportSpecifierID: 'feeder-3',
  reportName: 'TELEMETRY_USAGE' as const,
  points: [{ rID: 'feeder-3-kw', itemBase: 'powerReal' as const }],
};

describe.each<[string, (() => StoreFactory) | undefined]>([
  ['SQLite', undefined],
  ['PostgreSQL', postgresFactory],
])('reports the VTN offers, requested by a VEN over the wire (%s store)', (_name, makeFactory) => {
  let h: Harness;
  let factory: StoreFactory | undefined;

  beforeEach(async () => {
    factory = makeFactory?.();
    h = await startHarness({ reports: [FEEDER], ...(factory === undefined ? {} : { store: await factory.open() }) });
  });

  afterEach(async () => {
    await h.close();
    await factory?.cleanup();
  });

  /** Registers a pull VEN and returns its ID with the VTN's metadata report, answered. */
  async function registered(): Promise<{ venID: string; metadata: MessageBody<'oadrRegisterReport'> }> {
    const { venID } = await h.register({ oadrVenName: 'house-1' });
    const metadata = expectType((await h.drain(venID))[0], 'oadrRegisterReport');
    await h.post('EiReport', { type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: metadata.requestID }, venID } });
    return { venID, metadata };
  }

  function createReport(venID: string, reportRequestID: string, specifier: Partial<OadrReportRequest['reportSpecifier']>): OadrMessage {
    return {
      type: 'oadrCreateReport',
      body: {
        requestID: `create-${reportRequestID}`,
        oadrReportRequest: [
          {
            reportRequestID,
            reportSpecifier: {
              reportSpecifierID: 'feeder-3',
              granularity: 'PT1M',
              reportBackDuration: 'PT0S',
              specifierPayload: [{ rID: 'feeder-3-kw', readingType: 'x-notApplicable' }],
              ...specifier,
            },
          },
        ],
        venID,
      },
    };
  }

  async function putReadings(readings: Array<{ rID: string; at: number; value: number }>): Promise<{ status: number; json: unknown }> {
    return h.admin('PUT', '/admin/v1/vtn-reports/feeder-3/readings', { readings: readings.map((r) => ({ ...r, at: formatDateTime(r.at) })) });
  }

  function values(update: MessageBody<'oadrUpdateReport'>): Array<[string | undefined, number | undefined]> {
    return (update.oadrReport?.[0]?.intervals ?? []).map((i) => [i.dtstart, i.oadrReportPayload[0]?.payloadBase.payloadFloat]);
  }

  it('lists the offered report in its METADATA report and serves a one-shot request with the newest reading', async () => {
    const { venID, metadata } = await registered();
    expect(metadata.oadrReport?.map((r) => [r.reportName, r.reportSpecifierID, r.oadrReportDescription?.[0]?.rID])).toEqual([['METADATA_TELEMETRY_USAGE', 'feeder-3', 'feeder-3-kw']]);
    expect((await putReadings([{ rID: 'feeder-3-kw', at: T0 - 2 * MIN, value: 410 }, { rID: 'feeder-3-kw', at: T0 - MIN, value: 420.5 }])).json).toEqual({ stored: 2 });

    const created = expectType((await h.post('EiReport', createReport(venID, 'once', {}))).message, 'oadrCreatedReport');
    expect([created.eiResponse.responseCode, created.oadrPendingReports]).toEqual(['200', []]);
    const update = expectType((await h.drain(venID))[0], 'oadrUpdateReport');
    expect(update.oadrReport?.[0]).toMatchObject({ reportRequestID: 'once', reportSpecifierID: 'feeder-3', reportName: 'TELEMETRY_USAGE' });
    expect(values(update)).toEqual([[formatDateTime(T0 - MIN), 420.5]]);
    const ack = await h.post('EiReport', { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: update.requestID }, venID } });
    expect(expectType(ack.message, 'oadrResponse').eiResponse.responseCode).toBe('200');
    const stray = await h.post('EiReport', { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: 'never-sent' }, venID } });
    expect(expectType(stray.message, 'oadrResponse').eiResponse.responseCode).toBe('452');
  });

  it('delivers a periodic request every reportBackDuration, step by step, until the VEN cancels it on its answer', async () => {
    const { venID } = await registered();
    const interval = { dtstart: formatDateTime(T0), duration: 'PT0S' };
    const created = expectType((await h.post('EiReport', createReport(venID, 'every-2', { reportBackDuration: 'PT2M', reportInterval: interval }))).message, 'oadrCreatedReport');
    expect(created.oadrPendingReports).toEqual(['every-2']);
    await putReadings([{ rID: 'feeder-3-kw', at: T0, value: 1 }, { rID: 'feeder-3-kw', at: T0 + MIN, value: 2 }]);

    h.clock.now = T0 + 2 * MIN - 1;
    await h.vtn.app.core.vtnReports.sweep();
    expect(await h.drain(venID)).toEqual([]);
    h.clock.now = T0 + 2 * MIN;
    await h.vtn.app.core.vtnReports.sweep();
    const first = expectType((await h.drain(venID))[0], 'oadrUpdateReport');
    expect(values(first)).toEqual([
      [formatDateTime(T0), 1],
      [formatDateTime(T0 + MIN), 2],
    ]);
    await h.post('EiReport', { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: first.requestID }, venID } });

    h.clock.now = T0 + 4 * MIN;
    await h.vtn.app.core.vtnReports.sweep();
    const second = expectType((await h.drain(venID))[0], 'oadrUpdateReport');
    expect(values(second)).toEqual([
      [formatDateTime(T0 + 2 * MIN), 2],
      [formatDateTime(T0 + 3 * MIN), 2],
    ]);
    const strayCancel = { requestID: 'c-1', reportRequestID: ['not-delivered'], reportToFollow: false, venID };
    const refused = await h.post('EiReport', { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: second.requestID }, oadrCancelReport: strayCancel, venID } });
    expect(expectType(refused.message, 'oadrResponse').eiResponse).toMatchObject({ responseCode: '452', responseDescription: expect.stringContaining('not-delivered') });
    const cancel = { requestID: 'c-2', reportRequestID: ['every-2'], reportToFollow: false, venID };
    const answered = await h.post('EiReport', { type: 'oadrUpdatedReport', body: { eiResponse: { responseCode: '200', requestID: second.requestID }, oadrCancelReport: cancel, venID } });
    expect(expectType(answered.message, 'oadrResponse').eiResponse.responseCode).toBe('200');

    h.clock.now = T0 + 6 * MIN;
    await h.vtn.app.core.vtnReports.sweep();
    expect(await h.drain(venID)).toEqual([]);
  });

  it('sends one last report when the VEN cancels with reportToFollow, and keeps it pending until then', async () => {
    const { venID } = await registered();
    await h.post('EiReport', createReport(venID, 'follow', { reportBackDuration: 'PT5M', reportInterval: { dtstart: formatDateTime(T0), duration: 'PT0S' } }));
    await putReadings([{ rID: 'feeder-3-kw', at: T0, value: 5 }]);
    h.clock.now = T0 + 2 * MIN;
    const canceled = await h.post('EiReport', { type: 'oadrCancelReport', body: { requestID: 'cancel-1', reportRequestID: ['follow'], reportToFollow: true, venID } });
    expect(expectType(canceled.message, 'oadrCanceledReport')).toMatchObject({ eiResponse: { responseCode: '200' }, oadrPendingReports: [] });
    const last = expectType((await h.drain(venID))[0], 'oadrUpdateReport');
    expect(values(last)).toEqual([
      [formatDateTime(T0), 5],
      [formatDateTime(T0 + MIN), 5],
    ]);
    h.clock.now = T0 + 5 * MIN;
    await h.vtn.app.core.vtnReports.sweep();
    expect(await h.drain(venID)).toEqual([]);
  });

  it('refuses requests it cannot serve with the code and the reason, accepting none of the message', async () => {
    const { venID } = await registered();
    const answer = async (message: OadrMessage): Promise<MessageBody<'oadrCreatedReport'>['eiResponse']> => expectType((await h.post('EiReport', message)).message, 'oadrCreatedReport').eiResponse;
    expect(await answer(createReport(venID, 'r1', { specifierPayload: [{ rID: 'feeder-9-kw', readingType: 'x-notApplicable' }] }))).toMatchObject({ responseCode: '452', responseDescription: expect.stringContaining('feeder-9-kw') });
    expect(await answer(createReport(venID, 'r2', { reportSpecifierID: 'TELEMETRY_STATUS' }))).toMatchObject({ responseCode: '452' });
    expect(await answer(createReport(venID, 'r3', { granularity: 'PT5S' }))).toMatchObject({ responseCode: '454', responseDescription: expect.stringContaining('PT1M') });
    const mixed = createReport(venID, 'good', {});
    if (mixed.type !== 'oadrCreateReport') throw new Error('not a create');
    const bad = createReport(venID, 'bad', { granularity: 'PT5S' });
    if (bad.type !== 'oadrCreateReport') throw new Error('not a create');
    mixed.body.oadrReportRequest.push(...bad.body.oadrReportRequest);
    expect(await answer(mixed)).toMatchObject({ responseCode: '454' });
    expect(await h.drain(venID)).toEqual([]);
  });

  it('refuses a reportRequestID another VEN or another of its reports uses (452), and takes the same request re-sent', async () => {
    const a = await registered();
    const b = await registered();
    const periodic = { reportBackDuration: 'PT2M', reportInterval: { dtstart: formatDateTime(T0), duration: 'PT0S' } };
    expect(expectType((await h.post('EiReport', createReport(a.venID, 'shared', periodic))).message, 'oadrCreatedReport').eiResponse.responseCode).toBe('200');
    const taken = expectType((await h.post('EiReport', createReport(b.venID, 'shared', periodic))).message, 'oadrCreatedReport').eiResponse;
    expect(taken).toMatchObject({ responseCode: '452', responseDescription: expect.stringContaining('in use') });
    const metadataOverIt = expectType((await h.post('EiReport', createReport(a.venID, 'shared', { reportSpecifierID: 'METADATA', specifierPayload: [{ rID: 'METADATA', readingType: 'x-notApplicable' }] }))).message, 'oadrCreatedReport').eiResponse;
    expect(metadataOverIt.responseCode).toBe('452');
    expect(expectType((await h.post('EiReport', createReport(a.venID, 'shared', periodic))).message, 'oadrCreatedReport').oadrPendingReports).toEqual(['shared']);
    expect(await h.vtn.app.store.getReportRequest('shared')).toMatchObject({ venID: a.venID, status: 'active', nextDueAt: T0 + 2 * 60_000 });
  });

  it('takes readings through the admin API, refusing an unknown report (404) or rID (400) with the reading named, and lists them', async () => {
    expect((await putReadings([{ rID: 'feeder-3-kw', at: T0, value: 3 }])).status).toBe(200);
    expect((await h.admin('PUT', '/admin/v1/vtn-reports/feeder-9/readings', { readings: [{ rID: 'feeder-3-kw', at: formatDateTime(T0), value: 1 }] })).status).toBe(404);
    const unknownRid = await putReadings([{ rID: 'feeder-3-kw', at: T0, value: 3 }, { rID: 'feeder-3-kvar', at: T0, value: 1 }]);
    expect(unknownRid).toMatchObject({ status: 400, json: { error: { details: ['body/readings/1/rID'] } } });
    const notANumber = await h.admin('PUT', '/admin/v1/vtn-reports/feeder-3/readings', { readings: [{ rID: 'feeder-3-kw', at: formatDateTime(T0), value: 'high' }] });
    expect(notANumber.status).toBe(400);
    await putReadings([{ rID: 'feeder-3-kw', at: T0 + MIN, value: 4 }, { rID: 'feeder-3-kw', at: T0 - 2 * 86_400_000, value: 99 }]);
    const listed = (await h.admin('GET', '/admin/v1/vtn-reports')).json as Array<{ reportSpecifierID: string; readings: unknown[] }>;
    expect(listed.map((r) => [r.reportSpecifierID, r.readings])).toEqual([['feeder-3', [{ rID: 'feeder-3-kw', count: 2, newest: { at: new Date(T0 + MIN).toISOString(), value: 4 } }]]]);
  });
});
