import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload, encodePayload, type OadrMessage } from '@oadr-kit/protocol';
import { Agent, request } from 'undici';
import { createSqliteStore } from '../../src/index.js';
import { killChildVtn as kill, startChildVtn as startChild, type ChildVtn as Child } from '../helpers/childVtn.js';
import { PREFIX } from '../helpers/harness.js';

const TOKEN = 'test-token-0123456789';

describe('durability: a VTN killed with SIGKILL loses and duplicates nothing it acknowledged', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vtn-kill-'));
  const db = join(dir, 'vtn.db');
  const agent = new Agent({ connections: 16 });

  afterAll(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(child: Child, service: string, message: OadrMessage): Promise<OadrMessage | undefined> {
    const response = await request(`${child.url}${PREFIX}/${service}`, { method: 'POST', body: encodePayload(message), headers: { 'content-type': 'application/xml' }, dispatcher: agent });
    const text = await response.body.text();
    return response.statusCode === 200 && text !== '' ? decodePayload(text).message : undefined;
  }

  async function admin(child: Child, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const response = await request(`${child.adminUrl}${path}`, {
      method: method as 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  const registration = (venID: string): OadrMessage => ({
    type: 'oadrCreatePartyRegistration',
    body: { requestID: `reg-${venID}`, venID, oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: true },
  });

  it('keeps every acknowledged registration, event, report upload and opt exactly once across a kill and restart', async () => {
    let child = await startChild(db);
    // Set-up: a reporting VEN with an active TELEMETRY_USAGE request.
    await admin(child, 'POST', '/admin/v1/vens', { venID: 'reporter' });
    await post(child, 'EiRegisterParty', registration('reporter'));
    await post(child, 'EiReport', {
      type: 'oadrRegisterReport',
      body: {
        requestID: 'meta',
        venID: 'reporter',
        oadrReport: [
          {
            duration: 'PT1H',
            oadrReportDescription: [{ rID: 'p', reportType: 'usage', readingType: 'Direct Read', oadrSamplingRate: { oadrMinPeriod: 'PT1M', oadrMaxPeriod: 'PT1M', oadrOnChange: false } }],
            reportRequestID: '0',
            reportSpecifierID: 'USAGE',
            reportName: 'METADATA_TELEMETRY_USAGE',
            createdDateTime: '2026-11-27T12:00:00Z',
          },
        ],
      },
    });
    const { reportRequestID } = (await admin(child, 'POST', '/admin/v1/vens/reporter/report-requests', { reportSpecifierID: 'USAGE', granularity: 'PT1M', reportBackDuration: 'PT1M' })).json as { reportRequestID: string };
    for (let i = 0; i < 4; i++) await post(child, 'OadrPoll', { type: 'oadrPoll', body: { venID: 'reporter' } });
    for (let n = 0; n < 100; n++) await admin(child, 'POST', '/admin/v1/vens', { venID: `ven-${n}` });

    const acked = { vens: new Set<string>(), events: new Set<string>(), uploads: new Set<string>(), opts: new Set<string>() };
    let stop = false;
    const worker = async (kind: 'register' | 'event' | 'upload' | 'opt', id: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const n = id * 1000 + i;
        try {
          if (kind === 'register') {
            // 25 provisioned VENs per worker, then it is done.
            if (i >= 25) return;
            const venID = `ven-${id * 25 + i}`;
            const answer = await post(child, 'EiRegisterParty', registration(venID));
            if (answer?.type === 'oadrCreatedPartyRegistration' && answer.body.eiResponse.responseCode === '200') acked.vens.add(venID);
          } else if (kind === 'event') {
            const eventID = `ev-${n}`;
            const created = await admin(child, 'POST', '/admin/v1/events', {
              eventID,
              marketContext: `http://market.example.com/${n}`,
              activePeriod: { dtstart: '2030-01-01T00:00:00Z', duration: 'PT1H' },
              signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 's', intervals: [{ duration: 'PT1H', signalPayload: 1 }] }],
            });
            if (created.status === 201) acked.events.add(eventID);
          } else if (kind === 'upload') {
            const requestID = `up-${n}`;
            const answer = await post(child, 'EiReport', {
              type: 'oadrUpdateReport',
              body: {
                requestID,
                venID: 'reporter',
                oadrReport: [
                  {
                    dtstart: '2026-11-27T12:00:00Z',
                    duration: 'PT1M',
                    intervals: [{ duration: 'PT1M', oadrReportPayload: [{ rID: 'p', payloadBase: { payloadFloat: n } }] }],
                    reportRequestID,
                    reportSpecifierID: 'USAGE',
                    reportName: 'TELEMETRY_USAGE',
                    createdDateTime: '2026-11-27T12:01:00Z',
                  },
                ],
              },
            });
            if (answer?.type === 'oadrUpdatedReport' && answer.body.eiResponse.responseCode === '200') acked.uploads.add(requestID);
          } else {
            const optID = `opt-${n}`;
            const answer = await post(child, 'EiOpt', {
              type: 'oadrCreateOpt',
              body: {
                optID,
                optType: 'optOut',
                optReason: 'participating',
                marketContext: 'http://market.example.com/dr',
                venID: 'reporter',
                vavailability: [{ dtstart: '2030-01-01T00:00:00Z', duration: 'PT1H' }],
                createdDateTime: '2026-11-27T12:00:00Z',
                requestID: optID,
                eiTarget: {},
              },
            });
            if (answer?.type === 'oadrCreatedOpt' && answer.body.eiResponse.responseCode === '200') acked.opts.add(optID);
          }
        } catch {
          return; // the process died under this request: it was never acknowledged
        }
      }
    };
    const load = [0, 1, 2, 3].flatMap((id) => [worker('register', id), worker('event', id), worker('upload', id), worker('opt', id)]);
    // Kill while every kind of request is in flight.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await kill(child);
    stop = true;
    await Promise.all(load);
    expect(acked.events.size).toBeGreaterThan(0);
    expect(acked.uploads.size).toBeGreaterThan(0);
    expect(acked.vens.size).toBeGreaterThan(0);
    expect(acked.opts.size).toBeGreaterThan(0);

    // The restarted VTN serves everything acknowledged before the kill.
    child = await startChild(db);
    const vens = (await admin(child, 'GET', '/admin/v1/vens')).json as Array<{ venID: string; state: string }>;
    const registered = new Set(vens.filter((v) => v.state === 'registered').map((v) => v.venID));
    for (const venID of acked.vens) expect(registered.has(venID)).toBe(true);
    const poll = await post(child, 'OadrPoll', { type: 'oadrPoll', body: { venID: [...acked.vens][0] ?? '' } });
    expect(poll).toBeDefined();
    child.process.kill('SIGTERM');
    await new Promise((resolve) => child.process.once('exit', resolve));

    const store = createSqliteStore({ path: db });
    try {
      const events = await store.listEvents();
      const eventIDs = events.map((e) => e.eventID);
      expect(new Set(eventIDs).size).toBe(eventIDs.length);
      for (const eventID of acked.events) expect(eventIDs).toContain(eventID);
      const data = await store.listReportData({ reportRequestID, limit: 100_000 });
      const uploads = data.map((d) => d.requestID);
      expect(new Set(uploads).size).toBe(uploads.length);
      for (const requestID of acked.uploads) expect(uploads).toContain(requestID);
      const opts = new Set((await store.listOpts('reporter')).map((o) => o.optID));
      for (const optID of acked.opts) expect(opts.has(optID)).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});
