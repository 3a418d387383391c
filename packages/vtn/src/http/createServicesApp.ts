import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  decodePayload,
  encodePayload,
  OadrProtocolError,
  ProtocolErrorCode,
  SERVICE_PATH_PREFIX,
  SERVICES,
  type ServiceName,
} from '@oadr-kit/protocol';
import { normalizeFingerprint, venFingerprint } from '@oadr-kit/security';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { VtnMetrics } from '../metrics.js';
import type { OadrServices, RequestIdentity, ServiceReply, SignatureHooks } from '../OadrServices.js';

export interface ServicesAppOptions {
  services: OadrServices;
  metrics: VtnMetrics;
  log: Logger;
  maxPayloadBytes: number;
  signatures: SignatureHooks | undefined;
}

// Structural failures leave nothing to answer in OpenADR terms; validation failures get an oadrResponse.
const UNANSWERABLE: ReadonlySet<string> = new Set([
  ProtocolErrorCode.XML_TOO_LARGE,
  ProtocolErrorCode.XML_MALFORMED,
  ProtocolErrorCode.XML_DTD_FORBIDDEN,
  ProtocolErrorCode.XML_UNKNOWN_ROOT,
  ProtocolErrorCode.XML_WRONG_NAMESPACE,
  ProtocolErrorCode.MESSAGE_UNKNOWN,
]);

const fingerprints = new WeakMap<TLSSocket, string | undefined>();

/** The VEN's fingerprint, computed once per TLS connection (keep-alive connections carry many requests). */
function identityOf(socket: TLSSocket): RequestIdentity {
  if (socket.encrypted !== true) return { fingerprint: undefined };
  if (!fingerprints.has(socket)) {
    const peer = socket.getPeerCertificate();
    const fingerprint = peer?.raw === undefined ? undefined : normalizeFingerprint(venFingerprint(peer.raw));
    fingerprints.set(socket, fingerprint);
  }
  return { fingerprint: fingerprints.get(socket) };
}

class TooLarge extends Error {}

/** Reads the body with events rather than an async iterator: this runs on every poll. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/**
 * The simple-HTTP services at `/OpenADR2/Simple/2.0b/{EiRegisterParty|EiEvent|EiReport|EiOpt|OadrPoll}`:
 * POST only, `application/xml` (UTF-8), Content-Length required and checked before the body is read,
 * then decoded by the protocol package and handed to OadrServices. Nothing a peer sends crashes it:
 * every failure becomes an HTTP status or an oadrResponse with a response code.
 */
export function createServicesApp(options: ServicesAppOptions): Koa {
  const app = new Koa();
  const { services, metrics, maxPayloadBytes } = options;
  const routes = new Map<string, ServiceName>(SERVICES.map((s) => [`${SERVICE_PATH_PREFIX}/${s}`, s]));

  app.use(async (ctx) => {
    const started = process.hrtime.bigint();
    const service = routes.get(ctx.path);
    // The child logger is made on first use: most polls log nothing.
    let child: Logger | undefined;
    const bindings: Record<string, string> = { service: service ?? ctx.path };
    const log = (): Logger => (child ??= options.log.child({ reqId: randomUUID(), ...bindings }));
    const debug = options.log.isLevelEnabled('debug');
    let message = 'none';
    let outcome = '';
    const refuse = (status: number, text: string): void => {
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = text;
      outcome = String(status);
      log().info({ status, reason: text }, 'request refused');
    };
    try {
      if (service === undefined) return refuse(404, 'no such OpenADR service');
      if (ctx.method !== 'POST') {
        ctx.set('Allow', 'POST');
        return refuse(405, 'OpenADR services take POST only');
      }
      const charset = ctx.request.charset;
      if (ctx.request.type !== 'application/xml' || (charset !== '' && charset.toLowerCase() !== 'utf-8')) {
        return refuse(415, 'Content-Type must be application/xml (UTF-8)');
      }
      const declared = ctx.get('Content-Length');
      if (declared === '') return refuse(411, 'Content-Length is required');
      if (Number(declared) > maxPayloadBytes) {
        ctx.set('Connection', 'close');
        return refuse(413, `payload over ${maxPayloadBytes} bytes`);
      }
      let bytes: Buffer;
      try {
        bytes = await readBody(ctx.req, maxPayloadBytes);
      } catch (error) {
        if (error instanceof TooLarge) {
          ctx.set('Connection', 'close');
          return refuse(413, `payload over ${maxPayloadBytes} bytes`);
        }
        throw error;
      }
      let reply: ServiceReply;
      try {
        const decoded = decodePayload(bytes, { maxBytes: maxPayloadBytes });
        message = decoded.message.type;
        if (debug) log().debug({ message, xml: decoded.xml }, 'received');
        reply = await services.handle(service, decoded, identityOf(ctx.req.socket as TLSSocket));
      } catch (error) {
        if (!(error instanceof OadrProtocolError)) throw error;
        if (UNANSWERABLE.has(error.code)) return refuse(error.httpStatus, `${error.code}: ${error.message}`);
        log().info({ code: error.code, element: error.element }, 'invalid payload');
        reply = {
          kind: 'payload',
          venID: undefined,
          message: { type: 'oadrResponse', body: { eiResponse: { responseCode: error.responseCode, responseDescription: `${error.code}: ${error.message}`, requestID: '' } } },
        };
      }
      if (reply.venID !== undefined) {
        if (child === undefined) bindings.venID = reply.venID;
        else child.setBindings({ venID: reply.venID });
      }
      if (reply.kind === 'empty') {
        ctx.status = reply.status;
        ctx.body = '';
        outcome = String(reply.status);
        log().info({ status: reply.status, reason: reply.reason }, 'answered without payload');
        return;
      }
      let xml = encodePayload(reply.message);
      if (options.signatures !== undefined) xml = options.signatures.sign(xml);
      ctx.status = 200;
      ctx.type = 'application/xml';
      ctx.body = xml;
      const body = reply.message.body as { eiResponse?: { responseCode: string } };
      outcome = body.eiResponse?.responseCode ?? '200';
      if (debug) log().debug({ reply: reply.message.type, xml }, 'answered');
    } catch (error) {
      log().error({ err: error }, 'request failed');
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = 'internal error';
      outcome = '500';
    } finally {
      metrics.requests.inc({ service: service ?? 'unknown', message, outcome });
      metrics.requestSeconds.observe({ service: service ?? 'unknown' }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  });
  return app;
}
