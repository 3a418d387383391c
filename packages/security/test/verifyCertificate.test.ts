import { SecurityError, SecurityErrorCode, verifyCertificate } from '../src/index.js';
import { caBundle, devCa, endEntity } from './helpers/pki.js';

function failure(fn: () => unknown): SecurityError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SecurityError) return error;
    throw error;
  }
  throw new Error('expected a SecurityError');
}

describe('verifyCertificate', () => {
  const bundle = caBundle();

  test('good: a VEN certificate chains to the bundle', () => {
    const ven = endEntity('ven', 'rsa-2048');
    expect(verifyCertificate(ven.certificatePem, { trusted: bundle, requiredKeyUsage: 'digitalSignature' }).subject).toContain('CN=ven-rsa-2048');
  });

  test('good: only the root is trusted and the peer supplies the intermediate', () => {
    const ven = endEntity('ven', 'ec-p256');
    const ca = devCa('ec-p256');
    expect(() =>
      verifyCertificate(ven.certificatePem, { trusted: [ca.root.certificatePem], intermediates: [ca.intermediate.certificatePem] }),
    ).not.toThrow();
    expect(failure(() => verifyCertificate(ven.certificatePem, { trusted: [ca.root.certificatePem] })).code).toBe(SecurityErrorCode.CERT_UNTRUSTED);
  });

  test('untrusted: a certificate from another CA', () => {
    const other = endEntity('ven', 'ec-p256', { issuer: devCa('rsa-2048').root, commonName: 'stranger' });
    const error = failure(() => verifyCertificate(other.certificatePem, { trusted: devCa('ec-p256').root.certificatePem }));
    expect(error.code).toBe('OADR_ERR_SEC_CERT_UNTRUSTED');
    expect(error.responseCode).toBe('463');
  });

  test('expired and not yet valid', () => {
    const expired = endEntity('ven', 'ec-p256', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    expect(failure(() => verifyCertificate(expired.certificatePem, { trusted: bundle })).code).toBe(SecurityErrorCode.CERT_EXPIRED);
    const ven = endEntity('ven', 'ec-p256');
    expect(failure(() => verifyCertificate(ven.certificatePem, { trusted: bundle, at: new Date('2000-01-01T00:00:00Z') })).code).toBe(
      SecurityErrorCode.CERT_EXPIRED,
    );
  });

  test('wrong key usage: a key-encipherment-only certificate cannot sign', () => {
    const ven = endEntity('ven', 'rsa-2048', { keyUsage: ['keyEncipherment'] });
    expect(() => verifyCertificate(ven.certificatePem, { trusted: bundle })).not.toThrow();
    expect(failure(() => verifyCertificate(ven.certificatePem, { trusted: bundle, requiredKeyUsage: 'digitalSignature' })).code).toBe(
      SecurityErrorCode.CERT_KEY_USAGE,
    );
  });

  test('malformed: garbage, truncated DER, an empty bundle', () => {
    const der = Buffer.from(endEntity('ven', 'ec-p256').certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(failure(() => verifyCertificate('not a certificate', { trusted: bundle })).code).toBe(SecurityErrorCode.CERT_INVALID);
    expect(failure(() => verifyCertificate(der.subarray(0, der.length - 20), { trusted: bundle })).code).toBe(SecurityErrorCode.CERT_INVALID);
    expect(failure(() => verifyCertificate(der, { trusted: '' })).code).toBe(SecurityErrorCode.CERT_INVALID);
  });
});
