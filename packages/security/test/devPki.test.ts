import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OadrInvalidArgumentError } from '@oadr-kit/protocol';
import {
  createTlsClientOptions,
  createTlsServerOptions,
  initDevPki,
  issueVenCertificate,
  issueVtnCertificate,
  venFingerprint,
  verifyCertificate,
  type IssuedFiles,
} from '../src/index.js';

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

  test('a VTN and a VEN do mutual TLS on 127.0.0.1 with the files (VTN: RSA and ECC; VEN: ECC)', async () => {
    const credential = (files: IssuedFiles) => ({ keyPem: readFileSync(files.keyPath, 'utf8'), certificatePem: readFileSync(files.chainPath, 'utf8') });
    const vtnRsa = issueVtnCertificate(dir, { keyAlgorithm: 'rsa-2048', name: 'mtls-vtn-rsa' });
    const vtnEcc = issueVtnCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'mtls-vtn-ecc' });
    const ven = issueVenCertificate(dir, { keyAlgorithm: 'ec-p256', name: 'mtls-ven' });
    const ca = readFileSync(join(dir, 'ca-bundle.pem'), 'utf8');
    const server = createServer(createTlsServerOptions({ credentials: [credential(vtnRsa), credential(vtnEcc)], ca }), (req, res) => {
      res.end(venFingerprint((req.socket as TLSSocket).getPeerCertificate().raw));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: (server.address() as AddressInfo).port,
            method: 'POST',
            path: '/OpenADR2/Simple/2.0b/OadrPoll',
            agent: false,
            ...createTlsClientOptions({ credentials: [credential(ven)], ca, servername: 'localhost' }),
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
          },
        );
        req.on('error', reject).end();
      });
      expect(body).toBe(ven.fingerprint);
    } finally {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
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
