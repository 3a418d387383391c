import { decodePayload, encodePayload, type OadrMessage } from '@oadr-kit/protocol';
import { createDevCa, createTlsClientOptions, issueCertificate, PayloadSigner, PayloadVerifier, type KeyAndCertificate } from '@oadr-kit/security';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startVtn, xmlSignatureHooks, type RunningVtn } from '../../src/index.js';
import { PREFIX } from '../helpers/harness.js';

describe('XML signatures with the security package, over mutual TLS', () => {
  const ecc = createDevCa('ec-p256');
  const ca = ecc.root.certificatePem + ecc.intermediate.certificatePem;
  const chain = (pair: KeyAndCertificate): KeyAndCertificate => ({ keyPem: pair.keyPem, certificatePem: pair.certificatePem + ecc.intermediate.certificatePem });
  const vtnCert = chain(issueCertificate({ profile: 'vtn', keyAlgorithm: 'ec-p256', commonName: 'vtn', issuer: ecc.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }));
  const venCert = chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: 'ven', issuer: ecc.intermediate }));
  const otherCert = chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: 'other', issuer: ecc.intermediate }));
  let vtn: RunningVtn;
  let agent: Agent;

  beforeAll(async () => {
    vtn = await startVtn({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0, token: 'test-token-0123456789' },
      storage: { type: 'sqlite', path: ':memory:' },
      tlsMaterial: { credentials: [vtnCert], ca },
      signatures: xmlSignatureHooks({ keyPem: vtnCert.keyPem, certificatePem: vtnCert.certificatePem, ca }),
      logger: pino({ level: 'silent' }),
      processMetrics: false,
    });
    agent = new Agent({ connect: createTlsClientOptions({ credentials: [venCert], ca, servername: 'localhost' }) });
  });

  afterAll(async () => {
    await agent.close();
    await vtn.close();
  });

  const signedBy = (cert: KeyAndCertificate) => new PayloadSigner({ keyPem: cert.keyPem, certificatePem: cert.certificatePem });
  const venSigner = signedBy(venCert);

  async function post(service: string, xml: string): Promise<{ text: string; message: OadrMessage }> {
    const response = await request(`${vtn.url}${PREFIX}/${service}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml' }, dispatcher: agent });
    const text = await response.body.text();
    return { text, message: decodePayload(text).message };
  }

  function code(message: OadrMessage): string | undefined {
    return 'eiResponse' in message.body ? message.body.eiResponse?.responseCode : undefined;
  }

  test('a signing VEN registers, is heard when it signs with its own key, and every reply is signed by the VTN', async () => {
    const registration = encodePayload(
      {
        type: 'oadrCreatePartyRegistration',
        body: { requestID: 'r1', oadrProfileName: '2.0b', oadrTransportName: 'simpleHttp', oadrReportOnly: false, oadrXmlSignature: true, oadrHttpPullModel: true },
      },
      { signedObjectId: 'reg' },
    );
    const created = await post('EiRegisterParty', venSigner.sign(registration));
    if (created.message.type !== 'oadrCreatedPartyRegistration') throw new Error(`got ${created.message.type}`);
    const venID = created.message.body.venID ?? '';
    const vtnSide = new PayloadVerifier({ trusted: ca });
    expect(vtnSide.verify(created.text).signed).toBe(true);

    const poll = (id: string) => encodePayload({ type: 'oadrPoll', body: { venID } }, { signedObjectId: id });
    const signedPoll = venSigner.sign(poll('p1'));
    const answer = await post('OadrPoll', signedPoll);
    expect(code(answer.message) ?? '200').toBe('200');
    expect(vtnSide.verify(answer.text).signed).toBe(true);

    // Bad signatures get 463, next to the good one above.
    expect(code((await post('OadrPoll', poll('p2'))).message)).toBe('463');
    expect(code((await post('OadrPoll', signedPoll)).message)).toBe('463');
    expect(code((await post('OadrPoll', signedBy(otherCert).sign(poll('p3')))).message)).toBe('463');
    const tampered = venSigner.sign(poll('p4')).replace(`<ei:venID>${venID}</ei:venID>`, `<ei:venID>${venID} </ei:venID>`);
    expect(code((await post('OadrPoll', tampered)).message)).toBe('463');
  });
});
