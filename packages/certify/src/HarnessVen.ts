import {
  checkConformance,
  decodePayload,
  encodePayload,
  OadrProtocolError,
  SERVICE_PATH_PREFIX,
  type MessageBody,
  type MessageType,
  type OadrMessage,
  type ServiceName,
} from '@oadr-kit/protocol';
import { createTlsClientOptions, type TlsCredential } from '@oadr-kit/security';
import { Agent, request } from 'undici';
import { CaseFailure } from './CertificationCase.js';
import { PushListener } from './PushListener.js';

export interface HarnessVenOptions {
  /** The VTN's base URL; the services are under /OpenADR2/Simple/2.0b. */
  readonly baseUrl: string;
  /** The client certificate(s) this VEN presents, and the CA bundle the VTN's certificate must chain to. */
  readonly credentials: readonly TlsCredential[];
  readonly ca: string;
  /** TLS server name to check the VTN's certificate against (default: the URL's host). */
  readonly servername?: string;
  /** The suites offered (OpenSSL names) instead of both of 2.0b's: G1_4010 offers each alone. */
  readonly ciphers?: string;
  readonly venName: string;
  readonly timeoutMs?: number;
  readonly now?: () => number;
  /**
   * Makes this a push VEN: it listens with these server certificates (mutual TLS, the VTN's client
   * certificate must chain to `ca`) and registers the listener, or `transportAddress` when given
   * (e.g. a proxy in front of it), as its oadrTransportAddress.
   */
  readonly push?: { readonly credentials: readonly TlsCredential[]; readonly transportAddress?: string; readonly host?: string; readonly port?: number };
}

/** One request and what came back, raw and decoded. */
export interface Exchange {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly raw: string;
  /** The decoded answer; undefined when the body was empty. */
  readonly message: OadrMessage | undefined;
}

/** What the VTN told this VEN at registration. */
export interface Registration {
  readonly venID: string;
  readonly registrationID: string;
  readonly vtnID: string;
  readonly pollFrequency: string | undefined;
}

let requestCounter = 0;

/**
 * The harness's VEN: it speaks raw 2.0b to the VTN under test and holds every answer to the rules:
 * HTTP 200 with Content-Type application/xml (rule 53), a schema-valid payload, and no finding of
 * checkConformance. Anything else fails the case with the reason.
 */
export class HarnessVen {
  readonly options: HarnessVenOptions;
  registration: Registration | undefined;
  /** Where the VTN pushes to, for a push VEN. */
  readonly pushed: PushListener | undefined;
  private readonly agent: Agent;

  constructor(options: HarnessVenOptions) {
    this.options = options;
    const push = options.push;
    this.pushed =
      push === undefined
        ? undefined
        : new PushListener({
            credentials: push.credentials,
            ca: options.ca,
            ...(push.host === undefined ? {} : { host: push.host }),
            ...(push.port === undefined ? {} : { port: push.port }),
            ...(options.now === undefined ? {} : { now: options.now }),
          });
    const host = new URL(options.baseUrl).hostname;
    this.agent = new Agent({
      connect: {
        ...createTlsClientOptions({ credentials: options.credentials, ca: options.ca, servername: options.servername ?? (host === '127.0.0.1' ? 'localhost' : host) }),
        // The profile always offers both 2.0b suites; narrowing them is the harness's job, not a deployment's.
        ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
      },
    });
  }

  /** A fresh, non-empty requestID (rule 41). */
  static requestID(): string {
    requestCounter++;
    return `th-${Date.now().toString(36)}-${requestCounter}`;
  }

  /** Posts a message (or raw text) and returns the exchange without judging it. */
  async post(service: ServiceName, message: OadrMessage | string): Promise<Exchange> {
    const body = typeof message === 'string' ? message : encodePayload(message);
    const response = await request(`${this.options.baseUrl.replace(/\/$/, '')}${SERVICE_PATH_PREFIX}/${service}`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/xml' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const raw = await response.body.text();
    const contentType = headerValue(response.headers['content-type']);
    let decoded: OadrMessage | undefined;
    if (raw.trim() !== '' && response.statusCode === 200) {
      try {
        decoded = decodePayload(raw).message;
      } catch (error) {
        if (!(error instanceof OadrProtocolError)) throw error;
        throw new CaseFailure(`${service} answered with an invalid payload: ${error.code} ${error.message}`);
      }
    }
    return { status: response.statusCode, contentType, raw, message: decoded };
  }

  /** Posts a message and requires an answer of the given type that passes every rule. */
  async exchange<K extends MessageType>(service: ServiceName, message: OadrMessage, expected: K): Promise<MessageBody<K>> {
    const reply = await this.receive(service, message, expected);
    if (reply.type !== expected) throw new CaseFailure(`${message.type} to ${service}: answered ${reply.type}, expected ${expected}`);
    return reply.body as MessageBody<K>;
  }

  /**
   * Posts a message and requires an answer of any type that passes every rule: what a poll needs,
   * where the VTN chooses what comes back.
   */
  async receive(service: ServiceName, message: OadrMessage, expected = 'an OpenADR payload'): Promise<OadrMessage> {
    const reply = await this.post(service, message);
    if (reply.status !== 200) throw new CaseFailure(`${message.type} to ${service}: HTTP ${reply.status}, expected 200`);
    if (reply.contentType === undefined || !/^application\/xml\b/i.test(reply.contentType)) {
      throw new CaseFailure(`${message.type} to ${service}: Content-Type "${reply.contentType ?? ''}", expected application/xml (rule 53)`);
    }
    if (reply.message === undefined) throw new CaseFailure(`${message.type} to ${service}: empty answer, expected ${expected}`);
    const findings = checkConformance(reply.message, { sender: 'vtn', now: (this.options.now ?? Date.now)() });
    if (findings.length > 0) throw new CaseFailure(`${reply.message.type} breaks ${findings.map((f) => f.rule).join(', ')}: ${findings[0]!.message}`, findings);
    return reply.message;
  }

  /** The venID this VEN has, failing the case when it is not registered. */
  venID(): string {
    if (this.registration === undefined) throw new CaseFailure('the harness VEN is not registered');
    return this.registration.venID;
  }

  /** The oadrTransportAddress a push VEN registers (its listener starts on first use); undefined for a pull VEN. */
  async transportAddress(): Promise<string | undefined> {
    if (this.pushed === undefined) return undefined;
    const listening = await this.pushed.start();
    return this.options.push?.transportAddress ?? listening;
  }

  async close(): Promise<void> {
    await this.pushed?.close();
    await this.agent.close();
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Fails the case unless the response code is the expected one. */
export function expectCode(what: string, actual: string, expected: string): void {
  if (actual !== expected) throw new CaseFailure(`${what}: responseCode ${actual}, expected ${expected}`);
}
