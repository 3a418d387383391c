import { formatDateTime, type OadrMessage } from '@oadr-kit/protocol';
import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { fakeVtnTls, sleep, venOptions } from './helpers/ven.js';

let vtn: FakeVtn;
let ven: VenClient | undefined;

beforeEach(async () => {
  vtn = await FakeVtn.start(fakeVtnTls());
});

afterEach(async () => {
  await ven?.stop();
  ven = undefined;
  await vtn.close();
});

async function startVen(overrides: Parameters<typeof venOptions>[1] = {}): Promise<VenClient> {
  ven = new VenClient(venOptions(vtn, overrides));
  const registered = ven.next('registered');
  await ven.start();
  await registered;
  return ven;
}

/** An event starting `inMs` from now, lasting `durationS` seconds in one interval. */
function soonEvent(spec: { id?: string; mod?: number; inMs?: number; durationS?: number; signalName?: string; responseRequired?: 'always' | 'never' } = {}) {
  const durationS = spec.durationS ?? 3600;
  return makeEvent({
    id: spec.id ?? 'event-1',
    mod: spec.mod ?? 0,
    startMs: Math.ceil((Date.now() + (spec.inMs ?? 3_600_000)) / 1000) * 1000,
    duration: `PT${durationS}S`,
    intervals: [`PT${durationS}S`],
    ...(spec.signalName === undefined ? {} : { signalName: spec.signalName }),
    ...(spec.responseRequired === undefined ? {} : { responseRequired: spec.responseRequired }),
  });
}

describe('registration over mutual TLS (CHECKLIST §1.4)', () => {
  it('queries, registers, registers its metadata reports, syncs events, then polls', async () => {
    const client = await startVen();
    await vtn.waitFor('oadrPoll');
    expect(vtn.received.slice(0, 5).map((r) => `${r.service}:${r.message.type}`)).toEqual([
      'EiRegisterParty:oadrQueryRegistration',
      'EiRegisterParty:oadrCreatePartyRegistration',
      'EiReport:oadrRegisterReport',
      'EiEvent:oadrRequestEvent',
      'OadrPoll:oadrPoll',
    ]);
    expect(client.registration).toEqual({ venID: 'ven-assigned-1', registrationID: 'reg-1', vtnID: 'vtn-test', pollIntervalMs: 40 });
    const create = vtn.received[1]?.message as Extract<OadrMessage, { type: 'oadrCreatePartyRegistration' }>;
    expect(create.body).toMatchObject({ oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrHttpPullModel: true, oadrVenName: 'test-ven', oadrXmlSignature: false });
    expect(create.body.registrationID).toBeUndefined();
    const register = vtn.received[2]?.message as Extract<OadrMessage, { type: 'oadrRegisterReport' }>;
    expect(register.body.oadrReport?.map((r) => [r.reportName, r.reportRequestID, r.dtstart])).toEqual([
      ['METADATA_TELEMETRY_STATUS', '0', undefined],
      ['METADATA_TELEMETRY_USAGE', '0', undefined],
    ]);
  });

  it('sends a provisioned venId and never polls faster than the VTN asks', async () => {
    vtn.pollFreq = 'PT1S';
    const client = await startVen({ venId: 'ven-provisioned' });
    expect(client.registration?.venID).toBe('ven-provisioned');
    expect(client.registration?.pollIntervalMs).toBe(1000);
    await sleep(300);
    expect(vtn.count('oadrPoll')).toBeLessThanOrEqual(1);
  });

  it('logs through an injected pino-style logger', async () => {
    const lines: string[] = [];
    const record = (level: string) => (object: object, message?: string) => lines.push(`${level} ${message ?? ''} ${JSON.stringify(object)}`);
    await startVen({ logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
    expect(lines).toContain(`info registered with the VTN {"venID":"ven-assigned-1","vtnID":"vtn-test","pollIntervalMs":40}`);
  });

  it('refuses options naming the bad field', () => {
    expect(() => new VenClient({ ...venOptions(vtn), pollIntervalMs: -1 })).toThrow(expect.objectContaining({ code: 'OADR_ERR_VEN_OPTIONS_INVALID', field: 'pollIntervalMs' }));
    expect(() => new VenClient({ ...venOptions(vtn), vtnUrl: 'not a url' })).toThrow(/options.vtnUrl/);
    expect(() => new VenClient({ ...venOptions(vtn), tls: undefined })).toThrow(expect.objectContaining({ field: 'tls' }));
    expect(() => new VenClient({ ...venOptions(vtn), ...({ pollInterval: 5 } as object) })).toThrow(/use pollIntervalMs/);
    expect(() => new VenClient({ ...venOptions(vtn), reports: [{ rID: 'p', reportName: 'TELEMETRY_USAGE', reportType: 'usage', readingType: 'Direct Read', minPeriodMs: 1000, maxPeriodMs: 1000, onChange: false }] })).toThrow(
      /TELEMETRY_STATUS/,
    );
  });

  it('registers again when the VTN asks (oadrRequestReregistration), keeping its IDs', async () => {
    await startVen();
    await vtn.waitFor('oadrPoll');
    const before = vtn.received.length;
    vtn.queue.push({ type: 'oadrRequestReregistration', body: { venID: 'ven-assigned-1' } });
    const ack = await vtn.waitFor('oadrResponse', () => true, before);
    expect(ack.service).toBe('EiRegisterParty');
    const again = await vtn.waitFor('oadrCreatePartyRegistration', () => true, before);
    expect(again.message.body).toMatchObject({ registrationID: 'reg-1', venID: 'ven-assigned-1' });
  });

  it('registers again when the VTN forgets it (463 on a poll)', async () => {
    const client = await startVen();
    await vtn.waitFor('oadrPoll');
    const before = vtn.received.length;
    const reregistered = client.next('registered');
    vtn.failure = 'forget';
    await vtn.waitFor('oadrPoll', () => true, before);
    vtn.failure = undefined;
    await reregistered;
    expect(vtn.received.slice(before).some((r) => r.message.type === 'oadrCreatePartyRegistration')).toBe(true);
  });

  it('answers a cancellation with an unknown registrationID with 452 and stays registered', async () => {
    const client = await startVen();
    vtn.queue.push({ type: 'oadrCancelPartyRegistration', body: { requestID: 'cancel-x', registrationID: 'REG-1', venID: 'ven-assigned-1' } });
    const answer = await vtn.waitFor('oadrCanceledPartyRegistration');
    expect(answer.message.body).toMatchObject({ eiResponse: { responseCode: '452', requestID: 'cancel-x' } });
    expect(client.registration?.registrationID).toBe('reg-1');
  });

  it('ends its registration on request and answers a VTN-initiated cancellation', async () => {
    const client = await startVen();
    await vtn.waitFor('oadrPoll');
    vtn.queue.push({ type: 'oadrCancelPartyRegistration', body: { requestID: 'cancel-1', registrationID: 'reg-1', venID: 'ven-assigned-1' } });
    const [by] = await client.next('registrationCancelled');
    expect(by).toBe('vtn');
    const answer = await vtn.waitFor('oadrCanceledPartyRegistration');
    expect(answer.message.body).toMatchObject({ eiResponse: { responseCode: '200', requestID: 'cancel-1' }, registrationID: 'reg-1' });
    await client.next('registered');
    await client.cancelRegistration();
    expect(client.registration).toBeUndefined();
    expect(vtn.count('oadrCancelPartyRegistration')).toBe(1);
  });
});

describe('poll loop', () => {
  it('never overlaps itself and polls again at once after a slow handler', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    vtn.script = async (service) => {
      if (service !== 'OadrPoll') return undefined;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(5);
      inFlight--;
      return undefined;
    };
    const client = await startVen({
      handlers: {
        decideOpt: async () => {
          await sleep(200);
          return 'optIn';
        },
      },
    });
    await vtn.waitFor('oadrPoll');
    vtn.events = [soonEvent()];
    vtn.queue.push(vtn.distribute());
    const created = await vtn.waitFor('oadrCreatedEvent');
    const index = vtn.received.indexOf(created);
    const next = await vtn.waitFor('oadrPoll', () => true, index);
    expect(vtn.received.indexOf(next)).toBeGreaterThan(index);
    expect(maxInFlight).toBe(1);
    expect(client.events).toHaveLength(1);
  });
});

describe('lifecycle', () => {
  it('stop() lets the exchange in progress finish, then sends nothing more', async () => {
    const client = await startVen();
    await vtn.waitFor('oadrPoll');
    let release: () => void = () => undefined;
    vtn.script = (service) => (service === 'OadrPoll' ? new Promise((resolve) => (release = () => resolve(undefined))) : undefined);
    const before = vtn.count('oadrPoll');
    await vtn.waitFor('oadrPoll', () => true, vtn.received.length);
    const completed: unknown[] = [];
    client.on('pollCompleted', (type) => completed.push(type));
    const stopped = client.stop();
    await sleep(50);
    expect(completed).toEqual([]);
    release();
    await stopped;
    expect(completed).toEqual(['oadrResponse']);
    const count = vtn.received.length;
    await sleep(150);
    expect(vtn.received.length).toBe(count);
    expect(vtn.count('oadrPoll')).toBe(before + 1);
  });

  it('refuses a second start()', async () => {
    const client = await startVen();
    await expect(client.start()).rejects.toMatchObject({ code: 'OADR_ERR_VEN_OPTIONS_INVALID', message: expect.stringMatching(/twice/) });
  });
});

describe('events (CHECKLIST §3.5)', () => {
  it('asks the opt handler and answers oadrCreatedEvent with its decision', async () => {
    const client = await startVen({ handlers: { decideOpt: (event) => Promise.resolve(event.eventID === 'no' ? 'optOut' : 'optIn') } });
    const received: string[] = [];
    client.on('eventReceived', (event, change) => received.push(`${event.eventID}:${change}`));
    vtn.events = [soonEvent({ id: 'yes' }), soonEvent({ id: 'no' })];
    vtn.queue.push(vtn.distribute('dist-5'));
    const created = await vtn.waitFor('oadrCreatedEvent');
    expect(created.service).toBe('EiEvent');
    const body = created.message.body as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>['body'];
    expect(body.eiCreatedEvent.eventResponses?.map((r) => [r.qualifiedEventID.eventID, r.optType, r.requestID, r.responseCode])).toEqual([
      ['yes', 'optIn', 'dist-5', '200'],
      ['no', 'optOut', 'dist-5', '200'],
    ]);
    expect(received).toEqual(['yes:new', 'no:new']);
  });

  it('answers 460 for an unknown signal and keeps the rest', async () => {
    const client = await startVen();
    const errors: VenError[] = [];
    client.on('error', (error) => errors.push(error));
    vtn.events = [soonEvent({ id: 'custom', signalName: 'x-CUSTOM_SIGNAL' }), soonEvent({ id: 'fine' })];
    vtn.queue.push(vtn.distribute());
    const created = await vtn.waitFor('oadrCreatedEvent');
    const body = created.message.body as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>['body'];
    expect(body.eiCreatedEvent.eventResponses?.map((r) => [r.qualifiedEventID.eventID, r.responseCode, r.optType])).toEqual([
      ['custom', '460', 'optOut'],
      ['fine', '200', 'optIn'],
    ]);
    expect(client.events.map((e) => e.eventID)).toEqual(['fine']);
    expect(errors.map((e) => e.code)).toContain('OADR_ERR_VEN_EVENT_REFUSED');
  });

  it('answers 462 for an event targeting other parties, using the declared targets', async () => {
    await startVen({ targets: { groupID: ['feeder-3'] } });
    const mine = soonEvent({ id: 'mine' });
    mine.eiEvent.eiTarget = { groupID: ['feeder-3'] };
    const theirs = soonEvent({ id: 'theirs' });
    theirs.eiEvent.eiTarget = { venID: ['ven-other'], groupID: ['feeder-9'] };
    vtn.events = [mine, theirs];
    vtn.queue.push(vtn.distribute());
    const created = await vtn.waitFor('oadrCreatedEvent');
    const body = created.message.body as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>['body'];
    expect(body.eiCreatedEvent.eventResponses?.map((r) => [r.qualifiedEventID.eventID, r.responseCode, r.optType])).toEqual([
      ['mine', '200', 'optIn'],
      ['theirs', '462', 'optOut'],
    ]);
  });

  it('synchronises on demand with oadrRequestEvent', async () => {
    const client = await startVen();
    vtn.events = [soonEvent({ id: 'synced' })];
    await client.requestEvents();
    expect(vtn.count('oadrRequestEvent')).toBe(2);
    expect(client.events.map((event) => event.eventID)).toEqual(['synced']);
    await client.cancelRegistration();
    await expect(client.requestEvents()).rejects.toMatchObject({ code: 'OADR_ERR_VEN_NOT_REGISTERED' });
  });

  it('sends nothing for responseRequired never nor for an empty distribute', async () => {
    const client = await startVen();
    vtn.events = [soonEvent({ responseRequired: 'never' })];
    vtn.queue.push(vtn.distribute());
    await client.next('eventReceived');
    vtn.events = [];
    vtn.queue.push(vtn.distribute());
    await client.next('eventCancelled');
    await client.next('pollCompleted');
    expect(vtn.count('oadrCreatedEvent')).toBe(0);
  });

  it('answers with the default opt when the handler throws or times out', async () => {
    const client = await startVen({ handlerTimeoutMs: 50, handlers: { decideOpt: () => new Promise(() => undefined) } });
    const failure = client.next('error');
    vtn.events = [soonEvent()];
    vtn.queue.push(vtn.distribute());
    const created = await vtn.waitFor('oadrCreatedEvent');
    const body = created.message.body as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>['body'];
    expect(body.eiCreatedEvent.eventResponses?.[0]?.optType).toBe('optOut');
    expect((await failure)[0].code).toBe('OADR_ERR_VEN_HANDLER_FAILED');
  });

  it('fires eventStarted and eventEnded on the clock, and eventCancelled on an implied cancellation', async () => {
    const client = await startVen();
    const log: string[] = [];
    client.on('eventStarted', (event) => log.push(`started:${event.eventID}`));
    client.on('eventEnded', (event) => log.push(`ended:${event.eventID}`));
    client.on('eventCancelled', (event, implied) => log.push(`cancelled:${event.eventID}:${implied}`));
    const startMs = Date.now() + 1000;
    vtn.events = [makeEvent({ id: 'short', startMs, duration: 'PT1S', intervals: ['PT1S'] })];
    // Whole-second dtstart keeps the XML exact; the event still starts within a second.
    vtn.events[0]!.eiEvent.eiActivePeriod.properties.dtstart = formatDateTime(Math.ceil(startMs / 1000) * 1000);
    vtn.queue.push(vtn.distribute());
    await client.next('eventEnded');
    vtn.events = [soonEvent({ id: 'long' })];
    vtn.queue.push(vtn.distribute());
    await client.next('eventReceived');
    vtn.events = [];
    vtn.queue.push(vtn.distribute());
    await client.next('eventCancelled');
    expect(log).toEqual(['started:short', 'ended:short', 'cancelled:long:true']);
  });

  it('opts out of an event through EiOpt and sends and cancels an opt schedule', async () => {
    const client = await startVen();
    vtn.events = [soonEvent()];
    vtn.queue.push(vtn.distribute());
    await client.next('eventReceived');
    await client.optEvent('event-1', 'optOut');
    const opt = await vtn.waitFor('oadrCreateOpt');
    expect(opt.message.body).toMatchObject({ optType: 'optOut', qualifiedEventID: { eventID: 'event-1', modificationNumber: 0 } });
    expect(client.events[0]?.optType).toBe('optOut');
    const optID = await client.createOptSchedule({ optType: 'optOut', availability: [{ startMs: Date.UTC(2026, 11, 1), durationMs: 0 }] });
    const schedule = await vtn.waitFor('oadrCreateOpt', (r) => r.message.type === 'oadrCreateOpt' && r.message.body.optID === optID);
    expect(schedule.message.body).toMatchObject({ vavailability: [{ dtstart: '2026-12-01T00:00:00Z', duration: 'PT0S' }] });
    await client.cancelOpt(optID);
    await expect(client.cancelOpt('unknown-opt')).rejects.toMatchObject({ code: 'OADR_ERR_VEN_RESPONSE_CODE', responseCode: '452' });
  });
});
