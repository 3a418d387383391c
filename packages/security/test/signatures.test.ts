import { PayloadSigner, PayloadVerifier, SecurityError, SecurityErrorCode, venFingerprint, type KeyAlgorithm } from '../src/index.js';
import { distributeEvent96 } from './helpers/distributeEvent.js';
import { caBundle, devCa, endEntity } from './helpers/pki.js';

// The test clock: a whole second a minute from now. Certificates made by the helpers are valid from
// the moment they are issued, so a fixed date would make every one of them "not yet valid" once
// the real clock passed it.
const NOW = Math.ceil(Date.now() / 1000) * 1000 + 60_000;

function signerFor(keyAlgorithm: KeyAlgorithm, extra: { canonicalization?: 'inclusive' | 'exclusive'; at?: number } = {}) {
  const pair = endEntity('ven', keyAlgorithm);
  let counter = 0;
  const signer = new PayloadSigner({
    keyPem: pair.keyPem,
    certificatePem: pair.certificatePem + devCa(keyAlgorithm).intermediate.certificatePem,
    now: () => new Date(extra.at ?? NOW),
    nonce: () => `nonce-${keyAlgorithm}-${extra.canonicalization ?? 'inclusive'}-${++counter}`,
    ...(extra.canonicalization === undefined ? {} : { canonicalization: extra.canonicalization }),
  });
  return { pair, signer };
}

function verifier(extra: Partial<ConstructorParameters<typeof PayloadVerifier>[0]> = {}): PayloadVerifier {
  return new PayloadVerifier({ trusted: caBundle(), now: () => NOW, ...extra });
}

function refusal(fn: () => unknown): SecurityError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecurityError) return error;
    throw error;
  }
  throw new Error('expected a SecurityError');
}

describe('signing and verifying oadrPayload', () => {
  const payload = distributeEvent96();

  test.each([
    ['rsa-2048', 'inclusive'],
    ['ec-p256', 'inclusive'],
    ['ec-p256', 'exclusive'],
  ] as const)('good: %s with %s C14N verifies and reports the signer', (keyAlgorithm, canonicalization) => {
    const { pair, signer } = signerFor(keyAlgorithm, { canonicalization });
    const signed = signer.sign(payload);
    const result = verifier().verify(signed, { expectedFingerprint: venFingerprint(pair.certificatePem).replace(/:/g, '').toLowerCase() });
    expect(result).toMatchObject({ signed: true, fingerprint: venFingerprint(pair.certificatePem), nonce: `nonce-${keyAlgorithm}-${canonicalization}-1` });
    expect(result.signed && result.timestamp.getTime()).toBe(NOW);
    expect(result.signed && result.signatureAlgorithm).toMatch(keyAlgorithm === 'rsa-2048' ? /rsa-sha256$/ : /ecdsa-sha256$/);
  });

  test('structure: ds:Signature first, qualified oadr:Id, two references, ReplayProtect, certificate chain', () => {
    const signed = signerFor('ec-p256').signer.sign(payload);
    expect(signed).toMatch(/<oadr:oadrPayload [^>]*><ds:Signature xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#" Id="oadrSignature"><ds:SignedInfo>/);
    expect(signed).toContain('<oadr:oadrSignedObject oadr:Id="oadrSignedObject">');
    expect(signed).toContain('<ds:Reference URI="#oadrSignedObject">');
    expect(signed).toContain('<ds:Reference URI="#oadrReplayProtect" Type="http://www.w3.org/2000/09/xmldsig#SignatureProperties">');
    expect(signed).toContain(`<dsp:ReplayProtect xmlns:dsp="http://openadr.org/oadr-2.0b/2012/07/xmldsig-properties"><dsp:timestamp>${new Date(NOW).toISOString()}</dsp:timestamp>`);
    expect(signed.match(/<ds:X509Certificate>/g)).toHaveLength(2);
    expect(signed.indexOf('</ds:Signature>')).toBeLessThan(signed.indexOf('<oadr:oadrSignedObject'));
  });

  test('an existing oadr:Id is kept, and a default-namespace payload gets a declared prefix', () => {
    const { signer } = signerFor('ec-p256');
    expect(signer.sign(distributeEvent96({ withId: true }))).toContain('<ds:Reference URI="#oadrSignedObject">');
    const defaultNs =
      '<oadrPayload xmlns="http://openadr.org/oadr-2.0b/2012/07"><oadrSignedObject><oadrPoll xmlns:ei="http://docs.oasis-open.org/ns/energyinterop/201110" ei:schemaVersion="2.0b"><ei:venID>ven-1</ei:venID></oadrPoll></oadrSignedObject></oadrPayload>';
    const signed = signer.sign(defaultNs);
    expect(signed).toContain('<oadrSignedObject xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07" oadr:Id="oadrSignedObject">');
    expect(verifier().verify(signed).signed).toBe(true);
  });

  test('X509Data may list the intermediate before the signing certificate', () => {
    const signed = signerFor('ec-p256').signer.sign(payload);
    const [leaf, intermediate] = signed.match(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/g) ?? [];
    const reordered = signed.replace(`${leaf}${intermediate}`, `${intermediate}${leaf}`);
    expect(reordered).not.toBe(signed);
    expect(verifier().verify(reordered).signed).toBe(true);
  });

  test('an ECDSA value sent DER-encoded instead of r‖s (some producers do) still verifies', () => {
    const signed = signerFor('ec-p256').signer.sign(payload);
    const raw = Buffer.from(/<ds:SignatureValue>([^<]+)</.exec(signed)?.[1] ?? '', 'base64');
    const integer = (half: Buffer): Buffer => {
      let bytes = half;
      while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.subarray(1);
      if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
      return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
    };
    const body = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]).toString('base64');
    expect(verifier().verify(signed.replace(raw.toString('base64'), der)).signed).toBe(true);
  });

  test('unsigned payloads pass only when signatures are optional', () => {
    expect(verifier({ requireSignature: false }).verify(payload)).toEqual({ signed: false });
    expect(refusal(() => verifier().verify(payload)).code).toBe(SecurityErrorCode.SIGNATURE_MISSING);
  });

  test('signing refuses what is not an unsigned oadrPayload', () => {
    const { signer } = signerFor('ec-p256');
    expect(() => signer.sign('<a/>')).toThrow(/oadrPayload/);
    expect(() => signer.sign(signer.sign(payload))).toThrow(/already signed/);
    expect(() => signer.sign('<oadr:oadrPayload xmlns:oadr="http://openadr.org/oadr-2.0b/2012/07">')).toThrow(/not closed/);
  });

  test('a key that does not match the certificate is a caller error', () => {
    expect(() => new PayloadSigner({ keyPem: endEntity('ven', 'ec-p256').keyPem, certificatePem: endEntity('ven', 'ec-p256').certificatePem })).toThrow(
      /does not belong/,
    );
  });
});

describe('bad signed input gets a typed error', () => {
  const payload = distributeEvent96();
  const { signer } = signerFor('ec-p256');

  test('good input, for comparison', () => {
    expect(verifier().verify(signer.sign(payload)).signed).toBe(true);
  });

  test('tampered signed body', () => {
    const signed = signer.sign(payload).replace('<ei:value>0.1851</ei:value>', '<ei:value>9.1851</ei:value>');
    expect(signed).toContain('9.1851');
    const error = refusal(() => verifier().verify(signed));
    expect(error).toMatchObject({ code: SecurityErrorCode.SIGNATURE_INVALID, responseCode: '463', httpStatus: 403 });
    expect(error.message).toMatch(/#oadrSignedObject does not match/);
  });

  test('tampered ReplayProtect and tampered SignedInfo', () => {
    const signed = signer.sign(payload);
    expect(refusal(() => verifier().verify(signed.replace('nonce-ec-p256-inclusive-', 'nonce-ec-p256-inclusivX-'))).code).toBe(SecurityErrorCode.SIGNATURE_INVALID);
    const digest = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(signed)?.[1] ?? '';
    const edited = signed.replace('<ds:Reference URI="#oadrSignedObject">', '<ds:Reference URI="#oadrSignedObject" Type="urn:x">');
    expect(refusal(() => verifier().verify(edited)).message).toMatch(/signature value does not verify/);
    expect(digest).not.toBe('');
  });

  test('wrong key: the signature does not verify with the certificate in KeyInfo', () => {
    const signed = signer.sign(payload);
    const other = endEntity('ven', 'ec-p256').certificatePem.replace(/-----[^-]+-----|\s/g, '');
    const swapped = signed.replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, `<ds:X509Certificate>${other}</ds:X509Certificate>`);
    expect(refusal(() => verifier().verify(swapped)).code).toBe(SecurityErrorCode.SIGNATURE_INVALID);
  });

  test('wrong signer: a valid signature by another VEN than the expected one', () => {
    const signed = signer.sign(payload);
    const someoneElse = venFingerprint(endEntity('ven', 'ec-p256').certificatePem);
    expect(refusal(() => verifier().verify(signed, { expectedFingerprint: someoneElse })).code).toBe(SecurityErrorCode.FINGERPRINT_MISMATCH);
  });

  test('replayed nonce', () => {
    const signed = signer.sign(payload);
    const shared = verifier();
    expect(shared.verify(signed).signed).toBe(true);
    const error = refusal(() => shared.verify(signed));
    expect(error).toMatchObject({ code: SecurityErrorCode.REPLAY, responseCode: '463' });
  });

  test('timestamp outside the window, either way; a configurable window', () => {
    const old = signerFor('ec-p256', { at: NOW - 301_000 }).signer.sign(payload);
    const future = signerFor('ec-p256', { at: NOW + 301_000 }).signer.sign(payload);
    expect(refusal(() => verifier().verify(old)).code).toBe(SecurityErrorCode.TIMESTAMP_OUT_OF_WINDOW);
    expect(refusal(() => verifier().verify(future)).code).toBe(SecurityErrorCode.TIMESTAMP_OUT_OF_WINDOW);
    expect(verifier({ windowMs: 600_000 }).verify(old).signed).toBe(true);
    const slightlyOld = signerFor('ec-p256', { at: NOW - 6_000 }).signer.sign(payload);
    expect(refusal(() => verifier({ windowMs: 5_000 }).verify(slightlyOld)).code).toBe(SecurityErrorCode.TIMESTAMP_OUT_OF_WINDOW);
  });

  test('malformed certificate in KeyInfo', () => {
    const signed = signer.sign(payload).replace(/<ds:X509Certificate>[^<]+<\/ds:X509Certificate>/, '<ds:X509Certificate>AAAAbm90IGEgY2VydA==</ds:X509Certificate>');
    expect(refusal(() => verifier().verify(signed)).code).toBe(SecurityErrorCode.CERT_INVALID);
  });

  test('certificate with wrong key usage (keyEncipherment only)', () => {
    const pair = endEntity('ven', 'rsa-2048', { keyUsage: ['keyEncipherment'] });
    const signed = new PayloadSigner({ keyPem: pair.keyPem, certificatePem: pair.certificatePem, now: () => new Date(NOW) }).sign(payload);
    expect(refusal(() => verifier().verify(signed)).code).toBe(SecurityErrorCode.CERT_KEY_USAGE);
    expect(refusal(() => new PayloadVerifier({ now: () => NOW }).verify(signed)).code).toBe(SecurityErrorCode.CERT_KEY_USAGE);
  });

  test('untrusted and expired signing certificates', () => {
    const stranger = endEntity('ven', 'ec-p256', { issuer: devCa('rsa-2048').root });
    const untrusted = new PayloadSigner({ keyPem: stranger.keyPem, certificatePem: stranger.certificatePem, now: () => new Date(NOW) }).sign(payload);
    expect(refusal(() => verifier({ trusted: devCa('ec-p256').root.certificatePem }).verify(untrusted)).code).toBe(SecurityErrorCode.CERT_UNTRUSTED);
    const expiring = endEntity('ven', 'ec-p256', { notAfter: new Date(NOW - 1000) });
    const expired = new PayloadSigner({ keyPem: expiring.keyPem, certificatePem: expiring.certificatePem, now: () => new Date(NOW) }).sign(payload);
    expect(refusal(() => verifier().verify(expired)).code).toBe(SecurityErrorCode.CERT_EXPIRED);
  });

  test('signature placed after oadrSignedObject', () => {
    const signed = signer.sign(payload);
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)?.[0] ?? '';
    const moved = signed.replace(signature, '').replace('</oadr:oadrPayload>', `${signature}</oadr:oadrPayload>`);
    expect(refusal(() => verifier().verify(moved)).message).toMatch(/first child/);
  });

  test('signature wrapping: a second element with the signed Id', () => {
    const signed = signer.sign(payload);
    const wrapped = signed.replace('<ds:Object>', '<ds:Object><oadr:oadrSignedObject oadr:Id="oadrSignedObject"/></ds:Object><ds:Object>');
    expect(refusal(() => verifier().verify(wrapped)).message).toMatch(/used twice/);
  });

  test('a reference that does not cover the signed object', () => {
    const signed = signer.sign(payload).replace('oadr:Id="oadrSignedObject"', 'oadr:Id="somethingElse"');
    expect(refusal(() => verifier().verify(signed)).message).toMatch(/points at nothing/);
  });

  test('the body as bytes: good UTF-8 verifies, broken UTF-8 and oversize bodies are refused', () => {
    const bytes = Buffer.from(signer.sign(payload), 'utf8');
    expect(verifier().verify(bytes).signed).toBe(true);
    expect(refusal(() => verifier().verify(Buffer.concat([bytes.subarray(0, 100), Buffer.from([0xff, 0xfe]), bytes.subarray(100)]))).code).toBe(
      SecurityErrorCode.XML_MALFORMED,
    );
    expect(refusal(() => verifier({ maxBytes: 1000 }).verify(bytes)).message).toMatch(/bytes exceeds 1000/);
  });

  test('not XML, a DTD, oversize', () => {
    expect(refusal(() => verifier().verify('<oadr:oadrPayload')).code).toBe(SecurityErrorCode.XML_MALFORMED);
    expect(refusal(() => verifier().verify('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).code).toBe(SecurityErrorCode.XML_MALFORMED);
    expect(refusal(() => verifier({ maxBytes: 1000 }).verify(payload)).code).toBe(SecurityErrorCode.XML_MALFORMED);
  });
});
