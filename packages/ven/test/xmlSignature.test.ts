import { PayloadSigner, PayloadVerifier } from '@oadr-kit/security';
import { VenClient } from '../src/VenClient.js';
import { FakeVtn } from './helpers/FakeVtn.js';
import { testPki } from './helpers/pki.js';
import { fakeVtnTls, venOptions } from './helpers/ven.js';

let vtn: FakeVtn;
let ven: VenClient;

beforeEach(async () => {
  const pki = testPki();
  vtn = await FakeVtn.start(fakeVtnTls());
  const vtnSigner = new PayloadSigner({ keyPem: pki.vtn.keyPem, certificatePem: pki.vtn.certificatePem });
  const vtnVerifier = new PayloadVerifier({ requireSignature: true, trusted: pki.caPem });
  vtn.xmlSignature = { sign: (xml) => vtnSigner.sign(xml), verify: (xml) => vtnVerifier.verify(xml) };
  const venSigner = new PayloadSigner({ keyPem: pki.ven.keyPem, certificatePem: pki.ven.certificatePem });
  const venVerifier = new PayloadVerifier({ requireSignature: true, trusted: pki.caPem });
  ven = new VenClient(venOptions(vtn, { xmlSignature: { sign: (xml) => venSigner.sign(xml), verify: (xml) => venVerifier.verify(xml) } }));
});

afterEach(async () => {
  await ven.stop();
  await vtn.close();
});

it('signs every payload it sends, verifies every answer, and announces it at registration', async () => {
  await ven.start();
  await ven.next('registered');
  await vtn.waitFor('oadrPoll');
  expect(vtn.received.every((r) => r.xml.includes('SignatureValue'))).toBe(true);
  expect(vtn.received.find((r) => r.message.type === 'oadrCreatePartyRegistration')?.message.body).toMatchObject({ oadrXmlSignature: true });
});

it('refuses an unsigned answer as a bad payload, backs off, and recovers when answers are signed again', async () => {
  const signing = vtn.xmlSignature;
  vtn.xmlSignature = { sign: (xml) => xml, verify: (xml) => signing?.verify(xml) };
  await ven.start();
  const [failed] = await ven.next('registrationFailed');
  expect(failed.code).toBe('OADR_ERR_VEN_BAD_PAYLOAD');
  expect(failed.message).toMatch(/unusable payload/);
  vtn.xmlSignature = signing;
  await ven.next('registered');
});
