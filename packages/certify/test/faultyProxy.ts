import { once } from 'node:events';
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createTlsClientOptions, createTlsServerOptions, venFingerprint, type KeyAndCertificate } from '@oadr-kit/security';
import { Agent, request } from 'undici';

/** Rewrites one answer of the VTN: what a broken VTN would have sent. */
export type Fault = (service: string, answer: { contentType: string; body: string }) => { contentType: string; body: string };
/** Rewrites one request of the VEN: what a broken VEN would have sent. */
export type RequestFault = (service: string, body: string) => string;

/**
 * A mutual-TLS proxy in front of a real VTN that passes each request on with the caller's own
 * certificate (so the VTN still sees who it is) and breaks the answers with `fault`, or the VEN's
 * requests with `requestFault`: a VTN or a VEN with one known defect, for proving that the matching
 * certification case catches it.
 */
export async function startFaultyProxy(options: {
  /** Where requests go; a function when the target listens only after the proxy (a push VEN registering the proxy's address). */
  target: string | (() => string);
  ca: string;
  serverCredentials: readonly KeyAndCertificate[];
  clients: readonly KeyAndCertificate[];
  fault?: Fault;
  requestFault?: RequestFault;
  /** Laxer TLS than 2.0b's, over the profile: a VTN that takes what it must refuse. */
  serverTls?: ServerOptions;
}): Promise<{ url: string; close(): Promise<void> }> {
  const fault = options.fault ?? ((_service, answer) => answer);
  const requestFault = options.requestFault ?? ((_service, body) => body);
  const agents = new Map(
    options.clients.map((client) => [
      venFingerprint(client.certificatePem),
      new Agent({ connect: createTlsClientOptions({ credentials: [client], ca: options.ca, servername: 'localhost' }) }),
    ]),
  );
  const server: Server = createServer({ ...createTlsServerOptions({ credentials: options.serverCredentials, ca: options.ca }), ...options.serverTls }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const agent = agents.get(venFingerprint(peer.raw));
      if (agent === undefined) {
        res.writeHead(403).end();
        return;
      }
      const service = req.url ?? '';
      const body = requestFault(service, Buffer.concat(chunks).toString('utf8'));
      request(`${typeof options.target === 'string' ? options.target : options.target()}${service}`, { method: 'POST', body, headers: { 'content-type': 'application/xml' }, dispatcher: agent })
        .then(async (answer) => {
          const text = await answer.body.text();
          const broken = fault(service, { contentType: String(answer.headers['content-type'] ?? ''), body: text });
          res.writeHead(answer.statusCode, broken.contentType === '' ? {} : { 'content-type': broken.contentType }).end(broken.body);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}
