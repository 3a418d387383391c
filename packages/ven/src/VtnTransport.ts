import { randomUUID } from 'node:crypto';
import { decodePayload, encodePayload, OadrProtocolError, SERVICE_PATH_PREFIX, type OadrMessage, type ServiceName } from '@oadr-kit/protocol';
import { tlsSecurityError } from '@oadr-kit/security';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import type { Clock } from './Clock.js';
import type { VenXmlSignature } from './VenOptions.js';
import { VenError, VenErrorCode } from './VenError.js';

/** What one exchange with the VTN saw, for the `messageSent`/`messageReceived` events. */
export interface TrafficObserver {
  sent(service: ServiceName, message: OadrMessage, xml: string): void;
  received(service: ServiceName, message: OadrMessage, xml: string): void;
  /** The VTN's clock minus ours, estimated from the Date header of each answer. */
  clockOffset(offsetMs: number): void;
}

export interface VtnTransportOptions {
  readonly baseUrl: URL;
  readonly dispatcher: Dispatcher;
  readonly requestTimeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly clock: Clock;
  readonly xmlSignature: VenXmlSignature | undefined;
  readonly observer: TrafficObserver;
}

// Codes of TLS failures as Node and OpenSSL report them: the peer's certificate or the handshake.
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

/**
 * POSTs one oadrPayload to a VTN service and decodes the answer. Every failure becomes a VenError
 * that says what went wrong: unreachable, timed out, HTTP status, TLS (with the SecurityError as
 * cause), or a payload that is not 2.0b (with the OadrProtocolError as cause).
 */
export class VtnTransport {
  readonly #options: VtnTransportOptions;

  constructor(options: VtnTransportOptions) {
    this.#options = options;
  }

  /** Sends a message; resolves with the VTN's answer, or undefined when the VTN answered with an empty body. */
  async exchange(service: ServiceName, message: OadrMessage, signal?: AbortSignal): Promise<OadrMessage | undefined> {
    const { baseUrl, dispatcher, requestTimeoutMs, maxPayloadBytes, clock, xmlSignature, observer } = this.#options;
    const encoded = encodePayload(message, xmlSignature === undefined ? {} : { signedObjectId: `oadr-${randomUUID()}` });
    const xml = xmlSignature === undefined ? encoded : xmlSignature.sign(encoded);
    const url = new URL(`${SERVICE_PATH_PREFIX}/${service}`, baseUrl);
    observer.sent(service, message, xml);
    const sentAt = clock.now();
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: xml,
        headersTimeout: requestTimeoutMs,
        bodyTimeout: requestTimeoutMs,
        signal: signal === undefined ? AbortSignal.timeout(requestTimeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]),
      });
    } catch (error) {
      throw transportError(error, url);
    }
    const receivedAt = clock.now();
    const date = response.headers['date'];
    if (typeof date === 'string') {
      const vtnMs = Date.parse(date);
      // The header has whole seconds: the VTN's instant is half a second past it on average.
      if (Number.isFinite(vtnMs)) observer.clockOffset(vtnMs + 500 - (sentAt + receivedAt) / 2);
    }
    let body: Buffer;
    try {
      body = await readLimited(response.body, maxPayloadBytes, response.headers['content-length']);
    } catch (error) {
      if (error instanceof VenError) throw error;
      throw transportError(error, url);
    }
    if (response.statusCode !== 200) {
      throw new VenError(VenErrorCode.HTTP_STATUS, `the VTN answered ${service} with HTTP ${response.statusCode}`, { httpStatus: response.statusCode });
    }
    if (body.byteLength === 0) return undefined;
    let text = body.toString('utf8');
    try {
      if (xmlSignature !== undefined) xmlSignature.verify(text);
      const decoded = decodePayload(text, { maxBytes: maxPayloadBytes });
      text = decoded.xml;
      observer.received(service, decoded.message, text);
      return decoded.message;
    } catch (error) {
      const what = error instanceof OadrProtocolError ? `${error.code} at ${error.element ?? 'the root'}` : error instanceof Error ? error.message : String(error);
      throw new VenError(VenErrorCode.BAD_PAYLOAD, `the VTN answered ${service} with an unusable payload (${what})`, { cause: error });
    }
  }
}

async function readLimited(body: Dispatcher.ResponseData['body'], maxBytes: number, contentLength: string | string[] | undefined): Promise<Buffer> {
  // Destroying the body aborts the request, which the stream reports as an error nobody else awaits.
  body.on('error', () => undefined);
  if (typeof contentLength === 'string' && Number(contentLength) > maxBytes) {
    body.destroy();
    throw new VenError(VenErrorCode.BAD_PAYLOAD, `the VTN's answer of ${contentLength} bytes exceeds maxPayloadBytes (${maxBytes})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > maxBytes) {
      body.destroy();
      throw new VenError(VenErrorCode.BAD_PAYLOAD, `the VTN's answer exceeds maxPayloadBytes (${maxBytes})`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

function transportError(error: unknown, url: URL): VenError {
  const code = errorCode(error);
  if ((code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) || chainHasName(error, ['TimeoutError', 'AbortError'])) {
    return new VenError(VenErrorCode.TIMEOUT, `the VTN at ${url.origin} did not answer within the request timeout`, { cause: error });
  }
  if (TLS_CODE.test(code)) {
    const security = tlsSecurityError(findCoded(error));
    return new VenError(VenErrorCode.TLS, `TLS with the VTN at ${url.origin} failed: ${security.message}`, { cause: security });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new VenError(VenErrorCode.TRANSPORT, `cannot reach the VTN at ${url.origin}: ${code === '' ? detail : `${code} ${detail}`}`, { cause: error });
}

function chainHasName(error: unknown, names: readonly string[]): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (names.includes(String(name)) || names.includes(String(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function findCoded(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODE.test(code)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}
