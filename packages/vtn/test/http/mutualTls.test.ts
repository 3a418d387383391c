import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { decodePayload, encodePayload, type MessageBody, type OadrMessage } from '@oadr-kit/protocol';
import { createDevCa, createTlsClientOptions, createTlsServerOptions, issueCertificate, normalizeFingerprint, venFingerprint, type KeyAndCertificate } from '@oadr-kit/security';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startVtn, type RunningVtn } from '../../src/index.js';
import { expectType, PREFIX } from '../helpers/harness.js';

describe('mutual TLS: the client certificate identifies the VEN', () => {
  const rsa = createDevCa('rsa-2048');
  const ecc = createDevCa('ec-p256');
  const ca = [rsa, ecc].map((c) => c.root.certificatePem + c.intermediate.certificatePem).join('');
  const chain = (pair: KeyAndCertificate, issuer: typeof rsa): KeyAndCertificate => ({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + issuer.intermediate.certificatePem });
  const vtnRsa = chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'rsa-2048', commonName: 'vtn', issuer: rsa.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }), rsa);
  const vtnEcc = chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'vtn', issuer: ecc.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }), ecc);
  const venCert = (name: string): KeyAndCertificate => chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: name, issuer: ecc.intermediate }), ecc);
  const [a, b, c, d] = ['ven-a', 'ven-b', 'ven-c', 'ven-d'].map(venCert) as [KeyAndCertificate, KeyAndCertificate, KeyAndCertificate, KeyAndCertificate];

  let vtn: RunningVtn;
  const agents: Agent[] = [];

  beforeAll(async () => {
    vtn = await startVtn({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789' },
      storage: { type: 'sqlite', path: ':memory:' },
      tlsMaterial: { credentials: [vtnRsa, vtnEcc], ca },
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await vtn.close();
  });

  function client(cert: KeyAndCertificate | undefined): (service: string, message: OadrMessage) => Promise<{ status: number; message: OadrMessage | undefined }> {
    const tls = cert === undefined ? { ca, servername: 'localhost' } : createTlsClientOptions({ credentials: [cert], ca, servername: 'localhost' });
    const agent = new Agent({ connect: tls });
    agents.push(agent);
    return async (service, message) => {
      const response = await request(`${vtn.url}${PREFIX}/${service}`, { method: 'POST', body: encodePayload(message), headers: { 'content-type': 'application/xml' }, dispatcher: agent });
      const text = await response.body.text();
      return { status: response.statusCode, message: text === '' ? undefined : decodePayload(text).message };
    };
  }

  const registration = (extra: Partial<MessageBody<'oadrCreatePartyRegistration'>> = {}): OadrMessage => ({
    type: 'oadrCreatePartyRegistration',
    body: { requestID: 'r', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: false, oadrHttpPullModel: true, ...extra },
  });

  it('binds the fingerprint at registration and recognises the VEN by it afterwards', async () => {
    const postA = client(a);
    const created = expectType((await postA('EiRegisterParty', registration())).message, 'oadrCreatedPartyRegistration');
    const venID = created.venID ?? '';
    const view = await fetch(`${vtn.adminUrl}/admin/v1/vens/${venID}`, { headers: { authorization: 'Bearer test-token-0123456789' } });
    expect(((await view.json()) as { fingerprint: string }).fingerprint).toBe(normalizeFingerprint(venFingerprint(a.certificatePem)));
    const query = expectType((await postA('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: 'q' } })).message, 'oadrCreatedPartyRegistration');
    expect(query).toMatchObject({ venID, registrationID: created.registrationID });
    const poll = await postA('OadrPoll', { type: 'oadrPoll', body: { venID } });
    expect(poll.status).toBe(200);
    // The same certificate registering anew keeps its venID (N0_5060).
    const again = expectType((await postA('EiRegisterParty', registration())).message, 'oadrCreatedPartyRegistration');
    expect(again.venID).toBe(venID);
    expect(again.registrationID).not.toBe(created.registrationID);
  });

  it('gives an unknown certificate no payload and a registered VEN using another venID 463', async () => {
    const postA = client(a);
    const venA = expectType((await postA('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: 'q' } })).message, 'oadrCreatedPartyRegistration').venID ?? '';
    const postB = client(b);
    expect(await postB('OadrPoll', { type: 'oadrPoll', body: { venID: venA } })).toEqual({ status: 403, message: undefined });
    expect(expectType((await postB('EiRegisterParty', registration())).message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('200');
    const impostor = await postB('OadrPoll', { type: 'oadrPoll', body: { venID: venA } });
    expect(expectType(impostor.message, 'oadrResponse').eiResponse.responseCode).toBe('463');
  });

  it('lets a pre-provisioned venID register only with its own certificate', async () => {
    const provision = await fetch(`${vtn.adminUrl}/admin/v1/vens`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ venID: 'meter-17', fingerprint: venFingerprint(c.certificatePem) }),
    });
    expect(provision.status).toBe(201);
    const byD = await client(d)('EiRegisterParty', registration({ venID: 'meter-17' }));
    expect(expectType(byD.message, 'oadrCreatedPartyRegistration').eiResponse.responseCode).toBe('463');
    const byC = await client(c)('EiRegisterParty', registration({ venID: 'meter-17' }));
    expect(expectType(byC.message, 'oadrCreatedPartyRegistration')).toMatchObject({ eiResponse: { responseCode: '200' }, venID: 'meter-17' });
  });

  it('pushes to a VEN over mutual TLS, presenting the VTN certificate', async () => {
    const venServer = chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'ven-e-server', issuer: ecc.intermediate, ipAddresses: ['127.0.0.1'] }), ecc);
    const peers: string[] = [];
    const received: string[] = [];
    const server = createServer(createTlsServerOptions({ credentials: [venServer], ca }), (req, res) => {
      peers.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const message = decodePayload(Buffer.concat(chunks)).message;
        received.push(`${req.url ?? ''} ${message.type}`);
        if (message.type === 'oadrRegisterReport') {
          res.writeHead(200, { 'content-type': 'application/xml' }).end(encodePayload({ type: 'oadrRegisteredReport', body: { eiResponse: { responseCode: '200', requestID: message.body.requestID }, venID: message.body.venID ?? '' } }));
        } else res.writeHead(200).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const address = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const created = expectType((await client(venCert('ven-e'))('EiRegisterParty', registration({ oadrHttpPullModel: false, oadrTransportAddress: address }))).message, 'oadrCreatedPartyRegistration');
      await vtn.app.pusher.idle();
      await fetch(`${vtn.adminUrl}/admin/v1/events`, {
        method: 'POST',
        headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/json' },
        body: JSON.stringify({
          eventID: 'tls-push',
          marketContext: 'http://market.example.com/tls',
          activePeriod: { dtstart: '2030-01-01T00:00:00Z', duration: 'PT1H' },
          signals: [{ signalName: 'SIMPLE', signalType: 'level', signalID: 's', intervals: [{ duration: 'PT1H', signalPayload: 1 }] }],
          target: { venID: [created.venID] },
        }),
      });
      await vtn.app.pusher.idle();
      expect(received).toEqual(['/OpenADR2/Simple/2.0b/EiReport oadrRegisterReport', '/OpenADR2/Simple/2.0b/EiEvent oadrDistributeEvent']);
      expect(new Set(peers)).toEqual(new Set(['vtn']));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('refuses a client without a certificate at the handshake', async () => {
    await expect(client(undefined)('OadrPoll', { type: 'oadrPoll', body: { venID: 'x' } })).rejects.toThrow();
  });
});
