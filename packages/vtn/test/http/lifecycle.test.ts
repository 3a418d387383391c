import { Writable } from 'node:stream';
import pino from 'pino';
import { expectType, simpleEvent, startHarness, T0, type Harness } from '../helpers/harness.js';

describe('events, reports and logs end to end', () => {
  let h: Harness;
  const lines: Array<Record<string, unknown>> = [];

  beforeEach(async () => {
    lines.length = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    h = await startHarness({ logger: pino({ level: 'debug' }, sink) });
  });

  afterEach(async () => {
    await h.close();
  });

  it('passes test events and randomization on, and keeps a completed event until end + startafter (rule 66)', async () => {
    const { venID } = await h.register();
    await h.drain(venID);
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 't', testEvent: true, activePeriod: { dtstart: '2026-11-27T13:00:00Z', duration: 'PT1H', tolerance: { startafter: 'PT10M' } } }));
    const event = expectType((await h.drain(venID))[0], 'oadrDistributeEvent').oadrEvent?.[0]?.eiEvent;
    expect(event?.eventDescriptor.testEvent).toBe('true');
    expect(event?.eiActivePeriod.properties.tolerance).toEqual({ startafter: 'PT10M' });
    const sync = async (): Promise<string[]> => {
      const answer = await h.post('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID: 'r', venID } } });
      return (expectType(answer.message, 'oadrDistributeEvent').oadrEvent ?? []).map((e) => e.eiEvent.eventDescriptor.eventStatus);
    };
    h.clock.now = T0 + 125 * 60_000;
    expect(await sync()).toEqual(['completed']);
    h.clock.now = T0 + 131 * 60_000;
    expect(await sync()).toEqual([]);
  });

  it('refuses an oadrCreatedEvent for an event the VEN has not been sent yet (452, out of order)', async () => {
    const { venID } = await h.register();
    await h.admin('POST', '/admin/v1/events', simpleEvent({ eventID: 'early' }));
    const answer = await h.post('EiEvent', {
      type: 'oadrCreatedEvent',
      body: { eiCreatedEvent: { eiResponse: { responseCode: '200', requestID: '' }, eventResponses: [{ responseCode: '200', requestID: 'x', qualifiedEventID: { eventID: 'early', modificationNumber: 0 }, optType: 'optIn' }], venID } },
    });
    expect(expectType(answer.message, 'oadrResponse').eiResponse.responseCode).toBe('452');
  });

  it('stores status and projection reports with the VEN and the time of receipt', async () => {
    const { venID } = await h.register();
    await h.drain(venID);
    await h.post('EiReport', {
      type: 'oadrRegisterReport',
      body: {
        requestID: 'meta',
        venID,
        oadrReport: [
          { duration: 'PT1H', oadrReportDescription: [{ rID: 'status', reportType: 'x-resourceStatus', readingType: 'x-notApplicable', oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT1H', oadrOnChange: true } }], reportRequestID: '0', reportSpecifierID: 'STATUS', reportName: 'METADATA_TELEMETRY_STATUS', createdDateTime: '2026-11-27T12:00:00Z' },
          { duration: 'P1D', oadrReportDescription: [{ rID: 'plan', reportType: 'usage', readingType: 'Projected' }], reportRequestID: '0', reportSpecifierID: 'PLAN', reportName: 'x-PROJECTION', createdDateTime: '2026-11-27T12:00:00Z' },
        ],
      },
    });
    const request = async (specifier: string): Promise<string> => {
      const { reportRequestID } = (await h.admin('POST', `/admin/v1/vens/${venID}/report-requests`, { reportSpecifierID: specifier, granularity: 'PT0M', reportBackDuration: 'PT0M' })).json as { reportRequestID: string };
      return reportRequestID;
    };
    const status = await request('STATUS');
    const plan = await request('PLAN');
    await h.drain(venID);
    const update = await h.post('EiReport', {
      type: 'oadrUpdateReport',
      body: {
        requestID: 'u1',
        venID,
        oadrReport: [
          {
            dtstart: '2026-11-27T12:00:00Z',
            duration: 'PT0M',
            intervals: [{ dtstart: '2026-11-27T12:00:00Z', oadrReportPayload: [{ rID: 'status', payloadBase: { oadrPayloadResourceStatus: { oadrOnline: true, oadrManualOverride: false } } }] }],
            reportRequestID: status,
            reportSpecifierID: 'STATUS',
            reportName: 'TELEMETRY_STATUS',
            createdDateTime: '2026-11-27T12:00:00Z',
          },
          {
            dtstart: '2026-11-27T12:00:00Z',
            duration: 'PT30M',
            intervals: [0, 1].map((i) => ({ uid: String(i), duration: 'PT15M', oadrReportPayload: [{ rID: 'plan', payloadBase: { payloadFloat: 1.5 + i } }] })),
            reportRequestID: plan,
            reportSpecifierID: 'PLAN',
            createdDateTime: '2026-11-27T12:00:00Z',
          },
        ],
      },
    });
    expect(expectType(update.message, 'oadrUpdatedReport').eiResponse.responseCode).toBe('200');
    const data = (await h.admin('GET', `/admin/v1/report-data?venID=${venID}`)).json as Array<{ venID: string; reportRequestID: string; reportName?: string; receivedAt: string }>;
    expect(data.map((d) => [d.reportRequestID, d.reportName])).toEqual([
      [status, 'TELEMETRY_STATUS'],
      [plan, undefined],
    ]);
    expect(data[0]?.receivedAt).toBe(new Date(T0).toISOString());
    expect(((await h.admin('GET', `/admin/v1/report-data?reportName=TELEMETRY_STATUS`)).json as unknown[]).length).toBe(1);
  });

  it('logs each request with a child logger (reqId, service, venID) and the raw XML at debug', async () => {
    const { venID } = await h.register();
    await h.post('OadrPoll', { type: 'oadrPoll', body: { venID } });
    const received = lines.filter((l) => l.msg === 'received' && l.message === 'oadrPoll');
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ service: 'OadrPoll', level: 20 });
    expect(String(received[0]?.xml)).toContain('<oadr:oadrPoll');
    const answered = lines.find((l) => l.msg === 'answered' && l.reqId === received[0]?.reqId);
    expect(answered).toMatchObject({ venID, reply: 'oadrRegisterReport' });
    expect(lines.find((l) => l.msg === 'VEN registered')).toMatchObject({ venID });
  });
});
