import { once } from 'node:events';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  createDevCa,
  createTlsClientOptions,
  createTlsServerOptions,
  peerCertificateError,
  SecurityError,
  SecurityErrorCode,
  tlsSecurityError,
  venFingerprint,
  type KeyAndCertificate,
  type TlsServerProfileOptions,
} from '../src/index.js';
import { caBundle, chainOf, endEntity } from './helpers/pki.js';

interface Answer {
  status: number;
  body: string;
  cipher: string;
  protocol: string;
  serverKeyType: string;
}

describe('2.0b TLS profile: mutual TLS on 127.0.0.1', () => {
  const ca = caBundle();
  const vtnRsa = chainOf(endEntity('vtn', 'rsa-2048'), 'rsa-2048');
  const vtnEcc = chainOf(endEntity('vtn', 'ec-p256'), 'ec-p256');
  const venEcc = chainOf(endEntity('ven', 'ec-p256'), 'ec-p256');
  const venRsa = chainOf(endEntity('ven', 'rsa-2048'), 'rsa-2048');
  const foreignCa = createDevCa('ec-p256', { organization: 'someone else' });
  const servers: Server[] = [];
  const handshakeErrors: SecurityError[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(async (server) => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }));
    handshakeErrors.length = 0;
  });

  /** A VTN that answers with the fingerprint of the client certificate, or 403 with the reason. */
  async function startVtn(options: Partial<TlsServerProfileOptions> = {}): Promise<number> {
    const server = createServer(createTlsServerOptions({ credentials: [vtnRsa, vtnEcc], ca, ...options }), (req, res) => {
      const socket = req.socket as TLSSocket;
      const error = peerCertificateError(socket);
      if (error !== undefined) {
        res.writeHead(error.httpStatus).end(error.code);
        return;
      }
      res.end(venFingerprint(socket.getPeerCertificate().raw));
    });
    server.on('tlsClientError', (error, socket) => handshakeErrors.push(tlsSecurityError(error, socket)));
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  function get(port: number, client: KeyAndCertificate[] | [], extra: { ciphers?: string; ca?: string; maxVersion?: 'TLSv1.3' } = {}): Promise<Answer> {
    const tls =
      client.length > 0
        ? createTlsClientOptions({ credentials: client, ca: extra.ca ?? ca, servername: 'localhost' })
        : { ca: extra.ca ?? ca, minVersion: 'TLSv1.2' as const, servername: 'localhost' };
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/OpenADR2/Simple/2.0b/OadrPoll', method: 'POST', agent: false, ...tls, ...extra }, (res) => {
        const socket = res.socket as TLSSocket;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            cipher: socket.getCipher().name,
            protocol: socket.getProtocol() ?? '',
            serverKeyType: String(socket.getPeerX509Certificate()?.publicKey.asymmetricKeyType),
          }),
        );
      });
      req.on('error', (error) => reject(tlsSecurityError(error)));
      req.end();
    });
  }

  async function refusal(promise: Promise<unknown>): Promise<SecurityError> {
    try {
      await promise;
    } catch (error) {
      if (error instanceof SecurityError) return error;
      throw error;
    }
    throw new Error('expected the connection to be refused');
  }

  test('good: VEN (ECC) and VTN (RSA + ECC) authenticate each other with TLS 1.2 and the ECDHE-ECDSA suite', async () => {
    const port = await startVtn();
    const answer = await get(port, [venEcc]);
    expect(answer).toEqual({
      status: 200,
      body: venFingerprint(venEcc.certificatePem),
      cipher: 'ECDHE-ECDSA-AES128-SHA256',
      protocol: 'TLSv1.2',
      serverKeyType: 'ec',
    });
  });

  test('good: a client offering only the RSA suite gets the VTN RSA certificate', async () => {
    const port = await startVtn();
    const answer = await get(port, [venRsa], { ciphers: 'AES128-SHA256' });
    expect(answer).toMatchObject({ status: 200, cipher: 'AES128-SHA256', protocol: 'TLSv1.2', serverKeyType: 'rsa' });
    expect(answer.body).toBe(venFingerprint(venRsa.certificatePem));
  });

  test('TLS 1.3 is refused by default and allowed when configured', async () => {
    const strict = await startVtn();
    const other = { ciphers: 'TLS_AES_128_GCM_SHA256', minVersion: 'TLSv1.3' } as const;
    await expect(get(strict, [venEcc], other)).rejects.toBeInstanceOf(SecurityError);
    const relaxed = await startVtn({ allowTls13: true });
    const client = createTlsClientOptions({ credentials: [venEcc], ca, allowTls13: true });
    expect(client.maxVersion).toBe('TLSv1.3');
    const answer = await get(relaxed, [venEcc], { maxVersion: 'TLSv1.3' });
    expect(answer.protocol).toBe('TLSv1.3');
  });

  test('no client certificate: refused in the handshake, reported as NO_CLIENT_CERT', async () => {
    const port = await startVtn();
    await expect(get(port, [])).rejects.toBeInstanceOf(SecurityError);
    expect(handshakeErrors).toHaveLength(1);
    expect(handshakeErrors[0]?.code).toBe(SecurityErrorCode.NO_CLIENT_CERT);
  });

  test('no client certificate with rejectUnauthorized false: a clear 403', async () => {
    const port = await startVtn({ rejectUnauthorized: false });
    await expect(get(port, [])).resolves.toMatchObject({ status: 403, body: SecurityErrorCode.NO_CLIENT_CERT });
  });

  test('expired client certificate: refused; the server can say why', async () => {
    const expired = chainOf(
      endEntity('ven', 'ec-p256', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }),
      'ec-p256',
    );
    const strict = await startVtn();
    const error = await refusal(get(strict, [expired]));
    expect([SecurityErrorCode.CERT_EXPIRED, SecurityErrorCode.TLS_HANDSHAKE]).toContain(error.code);
    expect(handshakeErrors[0]?.code).toBe(SecurityErrorCode.CERT_EXPIRED);
    const lenient = await startVtn({ rejectUnauthorized: false });
    await expect(get(lenient, [expired])).resolves.toMatchObject({ status: 403, body: SecurityErrorCode.CERT_EXPIRED });
  });

  test('untrusted client certificate: refused; the server can say why', async () => {
    const stranger = chainOf(endEntity('ven', 'ec-p256', { issuer: foreignCa.intermediate }), 'ec-p256');
    const strict = await startVtn();
    const error = await refusal(get(strict, [stranger]));
    expect([SecurityErrorCode.CERT_UNTRUSTED, SecurityErrorCode.TLS_HANDSHAKE]).toContain(error.code);
    expect(handshakeErrors[0]?.code).toBe(SecurityErrorCode.CERT_UNTRUSTED);
    const lenient = await startVtn({ rejectUnauthorized: false });
    await expect(get(lenient, [stranger])).resolves.toMatchObject({ status: 403, body: SecurityErrorCode.CERT_UNTRUSTED });
  });

  test('a CA certificate presented as a client certificate: wrong key usage', async () => {
    const caAsClient = { keyPem: foreignCa.root.keyPem, certificatePem: foreignCa.root.certificatePem };
    const port = await startVtn({ ca: ca + foreignCa.root.certificatePem });
    await refusal(get(port, [caAsClient]));
    expect(handshakeErrors[0]?.code).toBe(SecurityErrorCode.CERT_KEY_USAGE);
  });

  test('untrusted or expired VTN certificate: the VEN refuses with a typed error', async () => {
    const port = await startVtn();
    expect((await refusal(get(port, [venEcc], { ca: foreignCa.root.certificatePem }))).code).toBe(SecurityErrorCode.CERT_UNTRUSTED);

    const expiredVtn = chainOf(
      endEntity('vtn', 'ec-p256', { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }),
      'ec-p256',
    );
    const expiredPort = await startVtn({ credentials: [expiredVtn] });
    expect((await refusal(get(expiredPort, [venEcc]))).code).toBe(SecurityErrorCode.CERT_EXPIRED);
  });
});
