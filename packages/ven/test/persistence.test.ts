import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { formatDateTime } from '@oadr-kit/protocol';
import { EMPTY_STATE, FileStateStore } from '../src/StateStore.js';
import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { fakeVtnTls, venOptions } from './helpers/ven.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oadr-ven-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileStateStore', () => {
  it('round-trips the state and leaves no temporary file behind', async () => {
    const store = new FileStateStore(join(dir, 'sub', 'ven-state.json'));
    expect(await store.load()).toBeUndefined();
    const state = { ...EMPTY_STATE, vtnID: 'vtn-1', events: [] };
    await store.save(state);
    await store.save({ ...state, vtnID: 'vtn-2' });
    expect(await store.load()).toEqual({ ...state, vtnID: 'vtn-2' });
    expect(await readdir(join(dir, 'sub'))).toEqual(['ven-state.json']);
  });

  it('refuses a file that is not JSON or not a VEN state', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"version": 1, "events": [');
    await expect(new FileStateStore(path).load()).rejects.toMatchObject({ code: 'OADR_ERR_VEN_STORE_FAILED', message: expect.stringMatching(/not JSON/) });
    await writeFile(path, JSON.stringify({ version: 2, events: [], reportRequests: [] }));
    await expect(new FileStateStore(path).load()).rejects.toMatchObject({ code: 'OADR_ERR_VEN_STORE_FAILED', message: expect.stringMatching(/version 1/) });
  });

  it('reports a directory it cannot write', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    await expect(new FileStateStore(join(blocker, 'state.json')).save(EMPTY_STATE)).rejects.toMatchObject({ code: 'OADR_ERR_VEN_STORE_FAILED' });
  });
});

describe('offline execution from the state file', () => {
  it('keeps executing a scheduled event with the VTN gone, then registers again when it is back', async () => {
    const storagePath = join(dir, 'ven-state.json');
    let vtn = await FakeVtn.start(fakeVtnTls());
    const port = (vtn.server.address() as AddressInfo).port;
    const first = new VenClient(venOptions(vtn, { storagePath }));
    await first.start();
    await first.next('registered');
    const startMs = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    vtn.events = [makeEvent({ id: 'offline', startMs, duration: 'PT1S', intervals: ['PT1S'] })];
    vtn.queue.push(vtn.distribute());
    await vtn.waitFor('oadrCreatedEvent');
    const url = vtn.url;
    await first.stop();
    await vtn.close();
    const saved = JSON.parse(await readFile(storagePath, 'utf8')) as { vtnID: string; events: unknown[] };
    expect(saved.vtnID).toBe('vtn-test');
    expect(saved.events).toHaveLength(1);

    const second = new VenClient(venOptions(vtn, { storagePath, vtnUrl: url }));
    const log: string[] = [];
    const failures: VenError[] = [];
    second.on('registrationFailed', (error) => failures.push(error));
    let startedAt = 0;
    second.on('eventStarted', (event) => {
      startedAt = Date.now();
      log.push(`started ${event.eventID} at ${formatDateTime(event.startMs)}`);
    });
    second.on('eventEnded', (event) => log.push(`ended ${event.eventID}`));
    await second.start();
    expect(second.events.map((event) => event.eventID)).toEqual(['offline']);
    await second.next('eventEnded');
    expect(log).toEqual([`started offline at ${formatDateTime(startMs)}`, 'ended offline']);
    expect(startedAt).toBeGreaterThanOrEqual(startMs);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]?.code).toBe('OADR_ERR_VEN_TRANSPORT');
    expect(second.registration).toBeUndefined();

    vtn = await FakeVtn.start(fakeVtnTls(), port);
    await second.next('registered');
    expect(second.registration?.venID).toBe('ven-assigned-1');
    await second.stop();
    await vtn.close();
  });

  it('keeps running report requests across a restart and forgets finished ones', async () => {
    const storagePath = join(dir, 'ven-state.json');
    const vtn = await FakeVtn.start(fakeVtnTls());
    const request = (reportRequestID: string, back: string) => ({
      reportRequestID,
      reportSpecifier: {
        reportSpecifierID: 'TELEMETRY_USAGE',
        granularity: 'PT0S',
        reportBackDuration: back,
        ...(back === 'PT0S' ? {} : { reportInterval: { dtstart: formatDateTime(Date.now()), duration: 'PT0S' } }),
        specifierPayload: [{ rID: 'power', readingType: 'x-notApplicable' as const }],
      },
    });
    const first = new VenClient(venOptions(vtn, { storagePath }));
    await first.start();
    await first.next('registered');
    vtn.queue.push({ type: 'oadrCreateReport', body: { requestID: 'create-1', oadrReportRequest: [request('periodic', 'PT1H'), request('once', 'PT0S')] } });
    await first.next('reportSent');
    await first.stop();
    const saved = JSON.parse(await readFile(storagePath, 'utf8')) as { reportRequests: Array<{ reportRequestID: string }> };
    expect(saved.reportRequests.map((r) => r.reportRequestID)).toEqual(['periodic']);
    const second = new VenClient(venOptions(vtn, { storagePath }));
    await second.start();
    await second.next('registered');
    vtn.queue.push({ type: 'oadrCancelReport', body: { requestID: 'cancel-1', reportRequestID: ['periodic'], reportToFollow: false } });
    const canceled = await vtn.waitFor('oadrCanceledReport');
    expect(canceled.message.body).toMatchObject({ eiResponse: { responseCode: '200' }, oadrPendingReports: [] });
    await second.stop();
    await vtn.close();
  });

  it('starts with empty state and reports a corrupt state file', async () => {
    const storagePath = join(dir, 'ven-state.json');
    await writeFile(storagePath, 'garbage');
    const vtn = await FakeVtn.start(fakeVtnTls());
    const ven = new VenClient(venOptions(vtn, { storagePath }));
    const failure = ven.next('error');
    await ven.start();
    expect((await failure)[0].code).toBe('OADR_ERR_VEN_STORE_FAILED');
    await ven.next('registered');
    expect(JSON.parse(await readFile(storagePath, 'utf8'))).toMatchObject({ version: 1, vtnID: 'vtn-test' });
    await ven.stop();
    await vtn.close();
  });
});
