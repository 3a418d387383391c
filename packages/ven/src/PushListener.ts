import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { decodePayload, encodePayload, OadrProtocolError, SERVICE_PATH_PREFIX, type OadrMessage, type ServiceName } from '@oadr-kit/protocol';
import { createTlsServerOptions, type TlsCredential } from '@oadr-kit/security';
import type { VenXmlSignature } from './VenOptions.js';
import { VenError, VenErrorCode } from './VenError.js';

/** Services a VTN pushes to (CHECKLIST §1.2). */
const PUSH_SERVICES: ReadonlySet<string> = new Set<ServiceName>(['EiEvent', 'EiReport', 'EiRegisterParty']);

export interface PushListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly credential: TlsCredential;
  readonly ca: string;
  readonly maxPayloadBytes: number;
  readonly xmlSignature: VenXmlSignature | undefined;
  /** Handles one message; resolves with the synchronous reply, or undefined for an empty 200. */
  readonly handle: (service: ServiceName, message: OadrMessage, xml: string) => Promise<OadrMessage | undefined>;
  readonly refused: (error: VenError) => void;
  /** Whether a client certificate (already chained to `ca`) is the VTN's; other parties get no payload. */
  readonly trusted: (certificate: PeerCertificate) => boolean;
}

/**
 * The small HTTPS listener a push VTN calls: mutual TLS with the 2.0b profile (a VTN without a
 * certificate trusted by `ca` fails the handshake), POST only, bodies size-limited and decoded like
 * every other payload, one reply per request.
 */
export class PushListener {
  readonly #options: PushListenerOptions;
  readonly #server: Server;

  constructor(options: PushListenerOptions) {
    this.#options = options;
    this.#server = createServer(createTlsServerOptions({ credentials: [options.credential], ca: options.ca }), (request, response) => {
      this.#serve(request, response).catch((error: unknown) => {
        this.#refuse(response, 500, new VenError(VenErrorCode.PUSH_REFUSED, 'push request failed', { cause: error }));
      });
    });
    this.#server.on('tlsClientError', (error) => {
      options.refused(new VenError(VenErrorCode.PUSH_REFUSED, `a push client failed the TLS handshake: ${error.message}`, { cause: error }));
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const service = path.startsWith(`${SERVICE_PATH_PREFIX}/`) ? path.slice(SERVICE_PATH_PREFIX.length + 1).replace(/\/$/, '') : '';
    if (!PUSH_SERVICES.has(service)) {
      request.resume();
      this.#refuse(response, 404, new VenError(VenErrorCode.PUSH_REFUSED, `push to unknown path ${path}`));
      return;
    }
    if (request.method !== 'POST') {
      request.resume();
      this.#refuse(response, 405, new VenError(VenErrorCode.PUSH_REFUSED, `push with method ${String(request.method)}`));
      return;
    }
    const peer = (request.socket as TLSSocket).getPeerCertificate();
    if (!this.#options.trusted(peer)) {
      request.resume();
      this.#refuse(response, 403, new VenError(VenErrorCode.PUSH_REFUSED, `a push from ${String(peer.subject?.CN ?? 'a party without a name')}, which is not the VTN this VEN registered with`));
      return;
    }
    const body = await readBody(request, this.#options.maxPayloadBytes);
    if (body === undefined) {
      this.#refuse(response, 413, new VenError(VenErrorCode.PUSH_REFUSED, `push body over ${this.#options.maxPayloadBytes} bytes`));
      return;
    }
    let message: OadrMessage;
    let xml: string;
    try {
      if (this.#options.xmlSignature !== undefined) this.#options.xmlSignature.verify(body);
      const decoded = decodePayload(body, { maxBytes: this.#options.maxPayloadBytes });
      message = decoded.message;
      xml = decoded.xml;
    } catch (error) {
      const status = error instanceof OadrProtocolError ? error.httpStatus : 403;
      this.#refuse(response, status, new VenError(VenErrorCode.PUSH_REFUSED, `unusable push payload: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      return;
    }
    const reply = await this.#options.handle(service as ServiceName, message, xml);
    if (reply === undefined) {
      response.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    const encoded = encodePayload(reply, this.#options.xmlSignature === undefined ? {} : { signedObjectId: 'oadrSignedObject' });
    const out = Buffer.from(this.#options.xmlSignature === undefined ? encoded : this.#options.xmlSignature.sign(encoded), 'utf8');
    response.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': String(out.byteLength) }).end(out);
  }

  #refuse(response: ServerResponse, status: number, error: VenError): void {
    this.#options.refused(error);
    if (!response.headersSent) response.writeHead(status, { 'content-length': '0' });
    response.end();
  }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > maxBytes) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        request.destroy();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
