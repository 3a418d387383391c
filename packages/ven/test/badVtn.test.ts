import { createTlsServerOptions, SecurityError } from '@oadr-kit/security';
import type { OadrMessage } from '@oadr-kit/protocol';
import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import { FakeVtn, type Failure } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { strangerCertificate, testPki } from './helpers/pki.js';
import { fakeVtnTls, venOptions } from './helpers/ven.js';

/**
 * Issue 6 item 5: a VTN that misbehaves. Each time the VEN reports a clear error, keeps its last good
 * state, backs off, and recovers once the VTN behaves again.
 */
let vtn: FakeVtn;
let ven: VenClient;
let errors: VenError[];
let backoffs: Array<[number, number]>;

beforeEach(async () => {
  vtn = await FakeVtn.start(fakeVtnTls());
});

afterEach(async () => {
  await ven.stop();
  await vtn.close();
});

async function startVen(overrides: Parameters<typeof venOptions>[1] = {}, waitRegistered = true): Promise<void> {
  ven = new VenClient(venOptions(vtn, overrides));
  errors = [];
  backoffs = [];
  ven.on('error', (error) => errors.push(error));
  ven.on('backoff', (attempt, delayMs) => backoffs.push([attempt, delayMs]));
  const registered = ven.next('registered');
  await ven.start();
  if (waitRegistered) await registered;
}

function futureEvent(id = 'event-1', mod = 0) {
  return makeEvent({ id, mod, startMs: Math.ceil((Date.now() + 3_600_000) / 1000) * 1000, duration: 'PT1H', intervals: ['PT1H'] });
}

/** Registers with one event held, then lets the VTN misbehave until `count` errors were reported. */
async function misbehave(failure: Failure, code: string): Promise<VenError> {
  await startVen({ requestTimeoutMs: 300 });
  vtn.events = [futureEvent()];
  vtn.queue.push(vtn.distribute());
  await ven.next('eventReceived');
  vtn.failure = failure;
  const [error] = await nextError(code);
  await ven.next('backoff');
  return error;
}

function nextError(code: string): Promise<[VenError]> {
  return new Promise((resolve) => {
    const listener = (error: VenError): void => {
      if (error.code !== code) return;
      ven.off('error', listener);
      resolve([error]);
    };
    ven.on('error', listener);
  });
}

async function expectRecovery(): Promise<void> {
  vtn.failure = undefined;
  await ven.next('pollCompleted');
  expect(ven.registration?.venID).toBe('ven-assigned-1');
  expect(ven.events.map((event) => event.eventID)).toEqual(['event-1']);
}

it('a VTN answering garbage: BAD_PAYLOAD, state kept, backoff, recovery', async () => {
  const error = await misbehave('garbage', 'OADR_ERR_VEN_BAD_PAYLOAD');
  expect(error.message).toMatch(/unusable payload \(OADR_ERR_XML_MALFORMED/);
  expect(ven.events).toHaveLength(1);
  await expectRecovery();
});

it('a VTN that times out: TIMEOUT, state kept, backoff, recovery', async () => {
  const error = await misbehave('hang', 'OADR_ERR_VEN_TIMEOUT');
  expect(error.message).toMatch(/did not answer within the request timeout/);
  await expectRecovery();
});

it('a VTN answering HTTP 500: HTTP_STATUS with the status, state kept, backoff, recovery', async () => {
  const error = await misbehave('http500', 'OADR_ERR_VEN_HTTP_STATUS');
  expect(error.httpStatus).toBe(500);
  await expectRecovery();
});

it('backs off exponentially with jitter while the VTN is down at start-up, then registers', async () => {
  vtn.failure = 'http500';
  await startVen({}, false);
  while (backoffs.length < 4) await ven.next('backoff');
  // initialMs 20, multiplier 2, maxMs 80, jitter 0.5 with random() = 0.5: 75% of each ceiling.
  expect(backoffs.slice(0, 4)).toEqual([
    [1, 15],
    [2, 30],
    [3, 60],
    [4, 60],
  ]);
  vtn.failure = undefined;
  await ven.next('registered');
  expect(ven.registration).toBeDefined();
});

it('an event with an impossible interval: 454 for it, the held version kept', async () => {
  await startVen();
  vtn.events = [futureEvent()];
  vtn.queue.push(vtn.distribute());
  await vtn.waitFor('oadrCreatedEvent');
  const broken = futureEvent('event-1', 1);
  broken.eiEvent.eiEventSignals.eiEventSignal[0]!.intervals = [{ duration: 'PT10M', uid: '0', signalPayload: 1 }];
  vtn.events = [broken];
  const before = vtn.received.length;
  vtn.queue.push(vtn.distribute());
  const created = await vtn.waitFor('oadrCreatedEvent', () => true, before);
  const response = (created.message as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>).body.eiCreatedEvent.eventResponses?.[0];
  expect(response).toMatchObject({ responseCode: '454', optType: 'optOut' });
  expect(response?.responseDescription).toMatch(/add up to/);
  expect(ven.events[0]?.modificationNumber).toBe(0);
  expect(errors.map((e) => e.code)).toContain('OADR_ERR_VEN_EVENT_REFUSED');
});

it('an event with an unknown signal: 460, nothing executed', async () => {
  await startVen();
  const custom = futureEvent('custom');
  custom.eiEvent.eiEventSignals.eiEventSignal[0]!.signalName = 'x-CUSTOM_SIGNAL';
  vtn.events = [custom];
  vtn.queue.push(vtn.distribute());
  const created = await vtn.waitFor('oadrCreatedEvent');
  expect((created.message as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>).body.eiCreatedEvent.eventResponses?.[0]?.responseCode).toBe('460');
  expect(ven.events).toEqual([]);
});

it('a VTN that changes its vtnID: distribute refused with 452, registration refused, state kept, recovery', async () => {
  await startVen();
  vtn.events = [futureEvent()];
  vtn.queue.push(vtn.distribute());
  await vtn.waitFor('oadrCreatedEvent');
  vtn.failure = 'wrongVtnId';
  vtn.events = [];
  const before = vtn.received.length;
  vtn.queue.push(vtn.distribute());
  const created = await vtn.waitFor('oadrCreatedEvent', () => true, before);
  expect((created.message as Extract<OadrMessage, { type: 'oadrCreatedEvent' }>).body.eiCreatedEvent.eiResponse.responseCode).toBe('452');
  expect(errors.map((e) => e.code)).toContain('OADR_ERR_VEN_VTN_ID_CHANGED');
  expect(ven.events.map((e) => e.eventID)).toEqual(['event-1']);
  // Asked to register again, it meets the other vtnID at registration and refuses it too.
  vtn.queue.push({ type: 'oadrRequestReregistration', body: { venID: 'ven-assigned-1' } });
  const [failed] = await ven.next('registrationFailed');
  expect(failed.code).toBe('OADR_ERR_VEN_VTN_ID_CHANGED');
  vtn.failure = undefined;
  vtn.events = [futureEvent()];
  await ven.next('registered');
  expect(ven.registration?.vtnID).toBe('vtn-test');
  expect(ven.events.map((e) => e.eventID)).toEqual(['event-1']);
});

it('a VTN presenting an untrusted certificate: TLS error naming the cause, backoff, recovery with the right certificate', async () => {
  const pki = testPki();
  vtn.server.setSecureContext(createTlsServerOptions({ credentials: [strangerCertificate()], ca: pki.caPem }));
  await startVen({}, false);
  const [failed] = await ven.next('registrationFailed');
  expect(failed.code).toBe('OADR_ERR_VEN_TLS');
  expect(failed.cause).toBeInstanceOf(SecurityError);
  expect((failed.cause as SecurityError).code).toBe('OADR_ERR_SEC_CERT_UNTRUSTED');
  expect(vtn.received).toHaveLength(0);
  await ven.next('backoff');
  vtn.server.setSecureContext(createTlsServerOptions({ credentials: [pki.vtn], ca: pki.caPem }));
  await ven.next('registered');
});

it('a VTN refusing the registration with an error code: RESPONSE_CODE with the code, backoff, recovery', async () => {
  let refusals = 2;
  vtn.script = (_service, message) => {
    if (message.type !== 'oadrCreatePartyRegistration' || refusals === 0) return undefined;
    refusals--;
    return { type: 'oadrCreatedPartyRegistration', body: { eiResponse: { responseCode: '469', responseDescription: 'maintenance', requestID: message.body.requestID }, vtnID: 'vtn-test', oadrProfiles: [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }] } };
  };
  await startVen({}, false);
  const [failed] = await ven.next('registrationFailed');
  expect(failed).toMatchObject({ code: 'OADR_ERR_VEN_RESPONSE_CODE', responseCode: '469' });
  expect(failed.message).toMatch(/469 \(maintenance\)/);
  await ven.next('registered');
});

it('a VTN answering a poll with a message a VEN does not take: UNEXPECTED_MESSAGE, then recovery', async () => {
  await startVen();
  vtn.queue.push({ type: 'oadrCreatedOpt', body: { eiResponse: { responseCode: '200', requestID: 'x' }, optID: 'o' } });
  const [error] = await nextError('OADR_ERR_VEN_UNEXPECTED_MESSAGE');
  expect(error.message).toMatch(/oadrCreatedOpt/);
  await ven.next('pollCompleted');
});

it('a VTN answering with a payload over maxPayloadBytes: refused before parsing, then recovery', async () => {
  await startVen({ maxPayloadBytes: 4096 });
  vtn.script = (service) => (service === 'OadrPoll' ? { status: 200, body: `<oadr:oadrPayload>${'x'.repeat(10_000)}</oadr:oadrPayload>` } : undefined);
  const [error] = await nextError('OADR_ERR_VEN_BAD_PAYLOAD');
  expect(error.message).toMatch(/exceeds maxPayloadBytes \(4096\)/);
  vtn.script = undefined;
  await ven.next('pollCompleted');
});
