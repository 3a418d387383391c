import { createHash, X509Certificate } from 'node:crypto';
import { fingerprintsEqual, normalizeFingerprint, SecurityError, venFingerprint } from '../src/index.js';
import { endEntity } from './helpers/pki.js';

describe('VEN fingerprint', () => {
  const pair = endEntity('ven', 'ec-p256');
  const der = new X509Certificate(pair.certificatePem).raw;
  const sha256 = createHash('sha256').update(der).digest('hex');

  test('is the last 10 bytes of the SHA-256 of the DER, upper-case colon pairs', () => {
    const fingerprint = venFingerprint(pair.certificatePem);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){9}[0-9A-F]{2}$/);
    expect(fingerprint.replace(/:/g, '').toLowerCase()).toBe(sha256.slice(-20));
    expect(venFingerprint(der)).toBe(fingerprint);
    expect(venFingerprint(new X509Certificate(der))).toBe(fingerprint);
  });

  test('comparison ignores case and separators, and accepts the full SHA-256', () => {
    const fingerprint = venFingerprint(pair.certificatePem);
    const bare = fingerprint.replace(/:/g, '').toLowerCase();
    expect(fingerprintsEqual(fingerprint, bare)).toBe(true);
    expect(fingerprintsEqual(bare.toUpperCase(), fingerprint.toLowerCase())).toBe(true);
    expect(fingerprintsEqual(fingerprint, sha256.match(/../g)?.join(':') ?? '')).toBe(true);
    expect(fingerprintsEqual('7D:AB:45:15:E2:DE:BB:AB:C7:ED', '7dab4515e2debbabc7ed')).toBe(true);
    expect(normalizeFingerprint('7D-AB-45-15-E2 DE BB AB C7 ED')).toBe('7dab4515e2debbabc7ed');
  });

  test('different, truncated or non-hex fingerprints are not equal', () => {
    const fingerprint = venFingerprint(pair.certificatePem);
    expect(fingerprintsEqual(fingerprint, venFingerprint(endEntity('ven', 'ec-p256').certificatePem))).toBe(false);
    expect(fingerprintsEqual(fingerprint, fingerprint.slice(3))).toBe(false);
    expect(fingerprintsEqual('zz:zz', 'zz:zz')).toBe(false);
    expect(normalizeFingerprint('')).toBeUndefined();
  });

  test('a malformed certificate is a typed error', () => {
    expect(() => venFingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(
      expect.objectContaining({ code: 'OADR_ERR_SEC_CERT_INVALID', responseCode: '463' }) as SecurityError,
    );
  });
});
