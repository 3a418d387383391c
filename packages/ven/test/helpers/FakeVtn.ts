import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decodePayload,
  encodePayload,
  ResponseCode,
  SERVICE_PATH_PREFIX,
  type EiResponse,
  type MessageType,
  type OadrEvent,
  type OadrMessage,
  type OadrReportRequest,
  type ServiceName,
} from '@oadr-kit/protocol';
import { createTlsClientOptions, createTlsServerOptions, type TlsCredential } from '@oadr-kit/security';

/** How the fake VTN misbehaves, until set back to undefined. */
export type Failure = 'garbage' | 'http500' | 'hang' | 'forget' | 'wrongVtnId';

/** A scripted answer: a message, raw bytes with a status, or undefined for the default behaviour. */
export type ScriptedAnswer = OadrMessage | { status: number; body: string } | undefined;

export interface Received {
  readonly service: string;
  readonly message: OadrMessage;
  readonly xml: string;
}

const ok = (requestID: string): EiResponse => ({ responseCode: ResponseCode.OK, requestID });

/**
 * A scripted 2.0b VTN on 127.0.0.1 speaking raw XML (through the protocol codec), with mutual TLS.
 * It registers one VEN, delivers queued messages on polls, serves `events` to oadrRequestEvent, and
 * can be told to misbehave.
 */
export class FakeVtn {
  readonly server: Server;
  vtnID = 'vtn-test';
  venID = 'ven-assigned-1';
  registrationID = 'reg-1';
  pollFreq: string | undefined;
  /** The current event list, returned by oadrRequestEvent. */
  events: OadrEvent[] = [];
  /** Messages delivered one per poll. */
  readonly queue: OadrMessage[] = [];
  /** Report requests piggy-backed on the oadrRegisteredReport. */
  reportRequestsOnRegister: OadrReportRequest[] = [];
  failure: Failure | undefined;
  /** How far the VTN's clock (its Date header) is ahead of the real one. */
  dateOffsetMs = 0;
  /** XML signatures: incoming payloads must verify (else 403), answers are signed. */
  xmlSignature: { sign(xml: string): string; verify(xml: string): unknown } | undefined;
  /** Per-exchange script, consulted before the default behaviour. */
  script: ((service: string, message: OadrMessage) => ScriptedAnswer | Promise<ScriptedAnswer>) | undefined;
  readonly received: Received[] = [];
  readonly #waiters: Array<{ type: MessageType; predicate: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  readonly #hanging = new Set<ServerResponse>();
  readonly #tls: { credential: TlsCredential; ca: string };
  #requestCounter = 0;

  private constructor(tls: { credential: TlsCredential; ca: string }) {
    this.#tls = tls;
    this.server = createHttpsServer(createTlsServerOptions({ credentials: [tls.credential], ca: tls.ca }), (request, response) => {
      void this.#serve(request, response);
    });
  }

  /** Listens on 127.0.0.1; `port` 0 (default) picks a free one, a given port brings a VTN back where it was. */
  static async start(tls: { credential: TlsCredential; ca: string }, port = 0): Promise<FakeVtn> {
    const vtn = new FakeVtn(tls);
    await new Promise<void>((resolve) => vtn.server.listen(port, '127.0.0.1', resolve));
    return vtn;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the next message of `type` (or one already received that matches). */
  waitFor(type: MessageType, predicate: (r: Received) => boolean = () => true, fromIndex = 0): Promise<Received> {
    const seen = this.received.slice(fromIndex).find((r) => r.message.type === type && predicate(r));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ type, predicate, resolve }));
  }

  count(type: MessageType): number {
    return this.received.filter((r) => r.message.type === type).length;
  }

  nextRequestID(): string {
    this.#requestCounter++;
    return `vtn-req-${this.#requestCounter}`;
  }

  /** POSTs a message to a push VEN, as a push VTN does; resolves with the HTTP status and body. */
  push(transportAddress: string, service: ServiceName, message: OadrMessage, credential: TlsCredential = this.#tls.credential): Promise<{ status: number; body: string }> {
    const url = new URL(`${SERVICE_PATH_PREFIX}/${service}`, transportAddress);
    const body = encodePayload(message);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        url,
        {
          method: 'POST',
          ...createTlsClientOptions({ credentials: [credential], ca: this.#tls.ca }),
          agent: false,
          headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const service = (request.url ?? '').slice(SERVICE_PATH_PREFIX.length + 1);
    const body = Buffer.concat(chunks).toString('utf8');
    if (this.xmlSignature !== undefined) {
      try {
        this.xmlSignature.verify(body);
      } catch {
        return this.#send(response, { status: 403, body: '' });
      }
    }
    const { message, xml } = decodePayload(body);
    const received = { service, message, xml };
    this.received.push(received);
    for (const waiter of [...this.#waiters]) {
      if (waiter.type === message.type && waiter.predicate(received)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(received);
      }
    }
    if (this.failure === 'hang') {
      this.#hanging.add(response);
      return;
    }
    if (this.failure === 'http500') return this.#send(response, { status: 500, body: 'internal error' });
    if (this.failure === 'garbage') return this.#send(response, { status: 200, body: '<html><body>Bad gateway</body>' });
    const scripted = await this.script?.(service, message);
    this.#send(response, scripted ?? this.#answer(message));
  }

  #send(response: ServerResponse, answer: OadrMessage | { status: number; body: string } | null): void {
    if (this.dateOffsetMs !== 0) response.setHeader('date', new Date(Date.now() + this.dateOffsetMs).toUTCString());
    if (answer === null) {
      response.writeHead(200, { 'content-length': '0' }).end();
      return;
    }
    const { status, body } = 'status' in answer ? answer : { status: 200, body: this.#encode(answer) };
    response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body);
  }

  #encode(message: OadrMessage): string {
    if (this.xmlSignature === undefined) return encodePayload(message);
    return this.xmlSignature.sign(encodePayload(message, { signedObjectId: this.nextRequestID() }));
  }

  #answer(message: OadrMessage): OadrMessage | null {
    const vtnID = this.failure === 'wrongVtnId' ? 'VTN-TEST' : this.vtnID;
    switch (message.type) {
      case 'oadrQueryRegistration':
        return { type: 'oadrCreatedPartyRegistration', body: { eiResponse: ok(message.body.requestID), vtnID, oadrProfiles: [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }] } };
      case 'oadrCreatePartyRegistration':
        return {
          type: 'oadrCreatedPartyRegistration',
          body: {
            eiResponse: ok(message.body.requestID),
            registrationID: this.registrationID,
            venID: message.body.venID ?? this.venID,
            vtnID,
            oadrProfiles: [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }],
            ...(this.pollFreq === undefined ? {} : { oadrRequestedOadrPollFreq: this.pollFreq }),
          },
        };
      case 'oadrRegisterReport':
        return {
          type: 'oadrRegisteredReport',
          body: { eiResponse: ok(message.body.requestID), ...(this.reportRequestsOnRegister.length === 0 ? {} : { oadrReportRequest: this.reportRequestsOnRegister }) },
        };
      case 'oadrRequestEvent':
        return this.distribute(message.body.eiRequestEvent.requestID);
      case 'oadrPoll': {
        if (this.failure === 'forget') return { type: 'oadrResponse', body: { eiResponse: { responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED, requestID: '' } } };
        return this.queue.shift() ?? { type: 'oadrResponse', body: { eiResponse: ok(''), venID: message.body.venID } };
      }
      case 'oadrUpdateReport':
        return { type: 'oadrUpdatedReport', body: { eiResponse: ok(message.body.requestID) } };
      case 'oadrCreateOpt':
        return { type: 'oadrCreatedOpt', body: { eiResponse: ok(message.body.requestID), optID: message.body.optID } };
      case 'oadrCancelOpt': {
        const known = this.received.some((r) => r.message.type === 'oadrCreateOpt' && r.message.body.optID === message.body.optID);
        return {
          type: 'oadrCanceledOpt',
          body: { eiResponse: known ? ok(message.body.requestID) : { responseCode: ResponseCode.INVALID_ID, requestID: message.body.requestID }, optID: message.body.optID },
        };
      }
      case 'oadrCancelPartyRegistration':
        return { type: 'oadrCanceledPartyRegistration', body: { eiResponse: ok(message.body.requestID), registrationID: message.body.registrationID } };
      default:
        return { type: 'oadrResponse', body: { eiResponse: ok('') } };
    }
  }

  /** The current event list as an oadrDistributeEvent. */
  distribute(requestID = this.nextRequestID()): OadrMessage {
    return {
      type: 'oadrDistributeEvent',
      body: { eiResponse: ok(requestID), requestID, vtnID: this.failure === 'wrongVtnId' ? 'VTN-TEST' : this.vtnID, ...(this.events.length === 0 ? {} : { oadrEvent: this.events }) },
    };
  }
}
