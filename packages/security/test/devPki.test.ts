import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import { initDevPki, issueVenCertificate, issueVtnCertificate, venFingerprint, verifyCertificate } from '../src/index.js';

describe('dev PKI on disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'oadr-devpki-')), 'dev');
  });
  afterAll(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  test('init, then VTN and VEN certificates for both algorithms, keys 0600', () => {
    const pki = initDevPki(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const bundle = readFileSync(pki.caBundlePath, 'utf8');
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(4);

    for (const keyAlgorithm of ['rsa-2048', 'ec-p256'] as const) {
      const vtn = issueVtnCertificate(dir, { keyAlgorithm, dnsNames: ['vtn.test'] });
      const ven = issueVenCertificate(dir, { keyAlgorithm, name: `ven-42-${keyAlgorithm}` });
      for (const issued of [vtn, ven]) {
        expect(statSync(issued.keyPath).mode & 0o777).toBe(0o600);
        const leaf = readFileSync(issued.certificatePath, 'utf8');
        expect(issued.fingerprint).toBe(venFingerprint(leaf));
        expect(readFileSync(issued.chainPath, 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
        expect(() => verifyCertificate(leaf, { trusted: bundle, requiredKeyUsage: 'digitalSignature' })).not.toThrow();
      }
      expect(new X509Certificate(readFileSync(vtn.certificatePath)).subjectAltName).toContain('DNS:vtn.test');
    }
  });

  test('refuses to overwrite keys unless asked', () => {
    expect(() => initDevPki(dir)).toThrow(OadrInvalidArgumentError);
    expect(() => issueVenCertificate(dir, { name: 'ven-42-ec-p256', keyAlgorithm: 'ec-p256' })).toThrow(/exists/);
    expect(() => issueVenCertificate(dir, { name: 'ven-42-ec-p256', keyAlgorithm: 'ec-p256', overwrite: true })).not.toThrow();
  });

  test('issuing without a CA, or with a name that is a path, is a caller error', () => {
    const empty = mkdtempSync(join(tmpdir(), 'oadr-empty-'));
    try {
      expect(() => issueVtnCertificate(empty)).toThrow(/initDevPki/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(() => issueVenCertificate(dir, { name: '../evil' })).toThrow(/plain file name/);
  });
});
