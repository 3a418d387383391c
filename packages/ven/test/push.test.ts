import { request as httpsRequest } from 'node:https';
import { createTlsClientOptions, issueCertificate } from '@oadr-kit/security';
import { decodePayload, type OadrMessage } from '@oadr-kit/protocol';
import { VenClient } from '../src/VenClient.js';
import type { VenError } from '../src/VenError.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { makeEvent } from './helpers/events.js';
import { strangerCertificate, testPki } from './helpers/pki.js';
import { fakeVtnTls, sleep, venOptions } from './helpers/ven.js';

let vtn: FakeVtn;
let ven: VenClient;
let errors: VenError[];

beforeEach(async () => {
  vtn = await FakeVtn.start(fakeVtnTls());
  ven = new VenClient(venOptions(vtn, { push: { port: 0, host: '127.0.0.1' } }));
  errors = [];
  ven.on('error', (error) => errors.push(error));
  await ven.start();
  await ven.next('registered');
});

afterEach(async () => {
  await ven.stop();
  await vtn.close();
});

function address(): string {
  return ven.pushAddress as string;
}

/** A raw HTTPS request to the push listener with the VTN's certificate. */
function raw(method: string, path: string, body: string): Promise<number> {
  const pki = testPki();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, address()), { method, agent: false, ...createTlsClientOptions({ credentials: [pki.vtn], ca: pki.caPem }) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('registers for push with its transport address and never polls', async () => {
  const create = vtn.received.find((r) => r.message.type === 'oadrCreatePartyRegistration')?.message as Extract<OadrMessage, { type: 'oadrCreatePartyRegistration' }>;
  expect(create.body).toMatchObject({ oadrHttpPullModel: false, oadrTransportAddress: address() });
  await sleep(150);
  expect(vtn.count('oadrPoll')).toBe(0);
});

it('answers a pushed oadrDistributeEvent with an empty 200, then sends oadrCreatedEvent to EiEvent', async () => {
  vtn.events = [makeEvent({ startMs: Math.ceil((Date.now() + 3_600_000) / 1000) * 1000, duration: 'PT1H', intervals: ['PT1H'] })];
  const observed: string[] = [];
  ven.on('messageReceived', (service, message, xml) => observed.push(`${service}:${message.type}:${xml.includes('push-1')}`));
  const answer = await vtn.push(address(), 'EiEvent', vtn.distribute('push-1'));
  expect(answer).toEqual({ status: 200, body: '' });
  expect(observed).toContain('EiEvent:oadrDistributeEvent:true');
  const created = await vtn.waitFor('oadrCreatedEvent');
  expect(created.service).toBe('EiEvent');
  expect(ven.events.map((event) => event.eventID)).toEqual(['event-1']);
});

it('answers pushed report and registration messages synchronously', async () => {
  const created = await vtn.push(address(), 'EiReport', {
    type: 'oadrCreateReport',
    body: {
      requestID: 'push-report',
      oadrReportRequest: [
        {
          reportRequestID: 'rr-push',
          reportSpecifier: { reportSpecifierID: 'TELEMETRY_STATUS', granularity: 'PT0S', reportBackDuration: 'PT0S', specifierPayload: [{ rID: 'status', readingType: 'x-notApplicable' }] },
        },
      ],
    },
  });
  expect(created.status).toBe(200);
  expect(decodePayload(created.body).message).toMatchObject({ type: 'oadrCreatedReport', body: { eiResponse: { responseCode: '200', requestID: 'push-report' } } });
  await vtn.waitFor('oadrUpdateReport');
  const before = vtn.received.length;
  const reregister = await vtn.push(address(), 'EiRegisterParty', { type: 'oadrRequestReregistration', body: { venID: 'ven-assigned-1' } });
  expect(decodePayload(reregister.body).message.type).toBe('oadrResponse');
  await vtn.waitFor('oadrCreatePartyRegistration', () => true, before);
});

it('refuses a wrong path, a wrong method and garbage, and keeps serving', async () => {
  expect(await raw('POST', '/OpenADR2/Simple/2.0b/OadrPoll', '<x/>')).toBe(404);
  expect(await raw('GET', '/OpenADR2/Simple/2.0b/EiEvent', '')).toBe(405);
  expect(await raw('POST', '/OpenADR2/Simple/2.0b/EiEvent', '<not-xml')).toBe(400);
  expect(errors.map((e) => e.code)).toEqual(['OADR_ERR_VEN_PUSH_REFUSED', 'OADR_ERR_VEN_PUSH_REFUSED', 'OADR_ERR_VEN_PUSH_REFUSED']);
  expect((await vtn.push(address(), 'EiEvent', vtn.distribute())).status).toBe(200);
});

it('refuses a VTN whose certificate it does not trust, at the handshake', async () => {
  await expect(vtn.push(address(), 'EiEvent', vtn.distribute(), strangerCertificate())).rejects.toThrow();
  await sleep(20);
  expect(errors.map((e) => e.code)).toContain('OADR_ERR_VEN_PUSH_REFUSED');
  expect(vtn.count('oadrCreatedEvent')).toBe(0);
});

it('gives a party with a trusted certificate that is not its VTN no payload (TH N0_5080), and keeps serving its VTN', async () => {
  const pki = testPki();
  const pair = issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'other-vtn.test', issuer: pki.ca.intermediate, ipAddresses: ['127.0.0.1'] });
  const other = { keyPem: pair.keyPem, certificatePem: pair.certificatePem + pki.ca.intermediate.certificatePem };
  const before = vtn.received.length;
  const answer = await vtn.push(address(), 'EiReport', { type: 'oadrRegisterReport', body: { requestID: 'stranger', oadrReport: [], venID: 'ven-assigned-1' } }, other);
  expect(answer).toEqual({ status: 403, body: '' });
  expect(errors.map((e) => e.message)).toEqual(['a push from other-vtn.test, which is not the VTN this VEN registered with']);
  expect(vtn.received.length).toBe(before);
  expect((await vtn.push(address(), 'EiEvent', vtn.distribute())).status).toBe(200);
});

it('cancelled by its VTN, registers again once the longest backoff has passed, though a push VEN never polls', async () => {
  await ven.stop();
  ven = new VenClient(venOptions(vtn, { push: { port: 0, host: '127.0.0.1' }, backoff: { initialMs: 50, maxMs: 200 } }));
  await ven.start();
  await ven.next('registered');
  const registration = ven.registration!;
  const before = vtn.received.length;
  const canceled = await vtn.push(address(), 'EiRegisterParty', { type: 'oadrCancelPartyRegistration', body: { requestID: 'vtn-cancel', registrationID: registration.registrationID, venID: registration.venID } });
  expect(decodePayload(canceled.body).message).toMatchObject({ type: 'oadrCanceledPartyRegistration', body: { eiResponse: { responseCode: '200' } } });
  const started = Date.now();
  await vtn.waitFor('oadrCreatePartyRegistration', () => true, before);
  expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  await ven.next('registered');
});

it('takes pushes from a certificate named in push.vtnCommonNames, for a VTN that pushes with another certificate than it serves', async () => {
  const pki = testPki();
  const pair = issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'vtn-pusher.test', issuer: pki.ca.intermediate, ipAddresses: ['127.0.0.1'] });
  const pusher = { keyPem: pair.keyPem, certificatePem: pair.certificatePem + pki.ca.intermediate.certificatePem };
  await ven.stop();
  ven = new VenClient(venOptions(vtn, { push: { port: 0, host: '127.0.0.1', vtnCommonNames: ['vtn-pusher.test'] } }));
  await ven.start();
  await ven.next('registered');
  expect((await vtn.push(address(), 'EiEvent', vtn.distribute(), pusher)).status).toBe(200);
});
