import { execFileSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate, readCertificateDetails } from '../src/index.js';
import { devCa, endEntity } from './helpers/pki.js';

describe('issueCertificate', () => {
  test.each(['rsa-2048', 'ec-p256'] as const)('builds a %s chain root → intermediate → VTN', (algorithm) => {
    const ca = devCa(algorithm);
    const root = new X509Certificate(ca.root.certificatePem);
    const intermediate = new X509Certificate(ca.intermediate.certificatePem);
    const vtn = new X509Certificate(endEntity('vtn', algorithm, { dnsNames: ['vtn.example.com'] }).certificatePem);

    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(intermediate.ca).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(vtn.ca).toBe(false);
    expect(vtn.verify(intermediate.publicKey)).toBe(true);
    expect(vtn.checkIssued(intermediate)).toBe(true);
    expect(vtn.publicKey.asymmetricKeyType).toBe(algorithm === 'rsa-2048' ? 'rsa' : 'ec');
    expect(vtn.subjectAltName).toBe('DNS:localhost, DNS:vtn.example.com, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(vtn.checkHost('localhost')).toBe('localhost');
    expect(vtn.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(vtn.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect([...(readCertificateDetails(vtn).keyUsage ?? [])]).toEqual(
      algorithm === 'rsa-2048' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
    );
  });

  test('the 2.0b hybrid: an ECC P-256 key certified by an RSA-2048 CA', () => {
    const rsa = devCa('rsa-2048');
    const hybrid = issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: 'hybrid', issuer: rsa.intermediate });
    const cert = new X509Certificate(hybrid.certificatePem);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
    expect(cert.verify(new X509Certificate(rsa.intermediate.certificatePem).publicKey)).toBe(true);
  });

  test('keys are PKCS#8 and match their certificates', () => {
    const pair = endEntity('ven', 'ec-p256');
    expect(pair.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(new X509Certificate(pair.certificatePem).checkPrivateKey(createPrivateKey(pair.keyPem))).toBe(true);
  });

  test('openssl verifies the chains it is given (when the openssl command exists)', () => {
    let version: string;
    try {
      version = execFileSync('openssl', ['version'], { encoding: 'utf8' });
    } catch {
      console.log('openssl chain check did not run: no openssl command on this machine');
      return;
    }
    expect(version).toMatch(/SSL/);
    const dir = mkdtempSync(join(tmpdir(), 'oadr-pki-'));
    try {
      for (const algorithm of ['rsa-2048', 'ec-p256'] as const) {
        const ca = devCa(algorithm);
        writeFileSync(join(dir, 'root.pem'), ca.root.certificatePem);
        writeFileSync(join(dir, 'intermediate.pem'), ca.intermediate.certificatePem);
        for (const profile of ['vtn', 'ven'] as const) {
          writeFileSync(join(dir, 'leaf.pem'), endEntity(profile, algorithm).certificatePem);
          const out = execFileSync(
            'openssl',
            ['verify', '-x509_strict', '-purpose', profile === 'vtn' ? 'sslserver' : 'sslclient', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'intermediate.pem'), join(dir, 'leaf.pem')],
            { encoding: 'utf8' },
          );
          expect(out.trim()).toBe(`${join(dir, 'leaf.pem')}: OK`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
