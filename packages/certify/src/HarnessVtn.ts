import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  checkConformance,
  decodePayload,
  encodePayload,
  OadrProtocolError,
  SERVICE_PATH_PREFIX,
  type ConformanceFinding,
  type MessageBody,
  type MessageType,
  type OadrEvent,
  type OadrMessage,
} from '@oadr-kit/protocol';
import { createTlsServerOptions, type TlsCredential } from '@oadr-kit/security';
import { CaseFailure } from './CertificationCase.js';

export interface HarnessVtnOptions {
  /** The VTN certificate(s) this harness presents, and the CA bundle VEN certificates must chain to. */
  readonly credentials: readonly TlsCredential[];
  readonly ca: string;
  readonly vtnID?: string;
  /** oadrRequestedOadrPollFreq told to the VEN (default PT1S: a certification run wants quick rounds). */
  readonly pollFrequency?: string;
  /** Where to listen (default 127.0.0.1, a port the OS assigns). */
  readonly host?: string;
  readonly port?: number;
  readonly now?: () => number;
}

/** A message the VEN under test sent, with what the rules found wrong in it. */
export interface Received {
  readonly seq: number;
  readonly service: string;
  readonly message: OadrMessage;
  readonly findings: readonly ConformanceFinding[];
}

const MAX_BODY = 1024 * 1024;

/**
 * The harness's VTN: it answers a VEN under test as a conforming pull VTN, delivers on the VEN's
 * polls whatever a case queues, and records every message the VEN sends together with what the
 * schema and checkConformance find wrong in it. Cases wait for the VEN's reactions with `waitFor`.
 */
export class HarnessVtn {
  readonly vtnID: string;
  /** Events answered to oadrRequestEvent. */
  events: OadrEvent[] = [];
  /** The VEN's current registration, as this VTN assigned it. */
  registration: { venID: string; registrationID: string } | undefined;
  private readonly queued: OadrMessage[] = [];
  private readonly log: Received[] = [];
  private readonly problems: { seq: number; text: string }[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly server: Server;
  private registrations = 0;
  private address: string | undefined;

  constructor(private readonly options: HarnessVtnOptions) {
    this.vtnID = options.vtnID ?? 'oadr-certify-vtn';
    this.server = createServer(createTlsServerOptions({ credentials: options.credentials, ca: options.ca }), (req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY) chunks.push(chunk);
      });
      req.on('end', () => {
        const service = (req.url ?? '').replace(`${SERVICE_PATH_PREFIX}/`, '');
        const answer = size > MAX_BODY ? undefined : this.handle(service, Buffer.concat(chunks).toString('utf8'));
        if (answer === undefined) res.writeHead(size > MAX_BODY ? 413 : 200).end();
        else res.writeHead(200, { 'content-type': 'application/xml' }).end(encodePayload(answer));
      });
    });
  }

  /** The base URL a VEN under test is given. */
  get url(): string {
    if (this.address === undefined) throw new Error('the harness VTN is not listening');
    return this.address;
  }

  async start(): Promise<void> {
    this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    await once(this.server, 'listening');
    const { address, port } = this.server.address() as AddressInfo;
    this.address = `https://${address}:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Delivers a message on one of the VEN's next polls. */
  queue(message: OadrMessage): void {
    this.queued.push(message);
  }

  /** Where the record stands now: pass it to waitFor to see only what comes after. */
  mark(): number {
    return this.log.length;
  }

  /** Everything the VEN sent since `from`. */
  since(from: number): readonly Received[] {
    return this.log.slice(from);
  }

  /** Problems with what the VEN sent since `from` (invalid payloads, broken rules), one line each. */
  problemsSince(from: number): string[] {
    return [
      ...this.problems.filter((p) => p.seq >= from).map((p) => p.text),
      ...this.log.slice(from).flatMap((r) => r.findings.map((f) => `${r.message.type} breaks ${f.rule}: ${f.message}`)),
    ];
  }

  /** Resolves with the first message of this type the VEN sends at or after `from` that satisfies `match`. */
  async waitFor<K extends MessageType>(type: K, from: number, signal: AbortSignal, match: (body: MessageBody<K>) => boolean = () => true): Promise<MessageBody<K>> {
    for (;;) {
      const found = this.log.slice(from).find((r) => r.message.type === type && match(r.message.body as MessageBody<K>));
      if (found !== undefined) return found.message.body as MessageBody<K>;
      await this.nextMessage(signal, `the VEN did not send ${type}`);
    }
  }

  /** Waits until the VEN has polled `count` more times: a VEN that stays quiet meanwhile sent nothing. */
  async polls(count: number, signal: AbortSignal): Promise<void> {
    const from = this.mark();
    while (this.since(from).filter((r) => r.message.type === 'oadrPoll').length < count) {
      await this.nextMessage(signal, `the VEN stopped polling (${count} polls expected)`);
    }
  }

  private nextMessage(signal: AbortSignal, failure: string): Promise<void> {
    if (signal.aborted) return Promise.reject(new CaseFailure(failure));
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        if (signal.aborted) reject(new CaseFailure(failure));
        else resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done);
    });
  }

  private handle(service: string, xml: string): OadrMessage | undefined {
    let message: OadrMessage;
    try {
      message = decodePayload(xml).message;
    } catch (error) {
      if (!(error instanceof OadrProtocolError)) throw error;
      this.problems.push({ seq: this.log.length, text: `${service}: invalid payload: ${error.code} ${error.message}` });
      return undefined;
    }
    const findings = checkConformance(message, { sender: 'ven', now: (this.options.now ?? Date.now)() });
    this.log.push({ seq: this.log.length, service, message, findings });
    const answer = this.answer(message);
    for (const wake of [...this.waiters]) wake();
    return answer;
  }

  private answer(message: OadrMessage): OadrMessage | undefined {
    const ok = (requestID: string) => ({ responseCode: '200', responseDescription: 'OK', requestID });
    const venID = this.registration?.venID;
    const response = (requestID: string): OadrMessage => ({ type: 'oadrResponse', body: { eiResponse: ok(requestID), ...(venID === undefined ? {} : { venID }) } });
    switch (message.type) {
      case 'oadrQueryRegistration':
      case 'oadrCreatePartyRegistration': {
        if (message.type === 'oadrCreatePartyRegistration') {
          this.registrations++;
          this.registration = { venID: message.body.venID ?? this.registration?.venID ?? 'ven-under-test', registrationID: `reg-${this.registrations}` };
        }
        return {
          type: 'oadrCreatedPartyRegistration',
          body: {
            eiResponse: ok(message.body.requestID),
            ...(this.registration === undefined ? {} : this.registration),
            vtnID: this.vtnID,
            oadrProfiles: [{ oadrProfileName: '2.0b', oadrTransports: ['simpleHttp'] }],
            oadrRequestedOadrPollFreq: this.options.pollFrequency ?? 'PT1S',
          },
        };
      }
      case 'oadrCancelPartyRegistration':
        this.registration = undefined;
        return { type: 'oadrCanceledPartyRegistration', body: { eiResponse: ok(message.body.requestID), registrationID: message.body.registrationID } };
      case 'oadrPoll':
        return this.queued.shift() ?? response('');
      case 'oadrRequestEvent':
        return { type: 'oadrDistributeEvent', body: { eiResponse: ok(message.body.eiRequestEvent.requestID), requestID: `dist-${this.log.length}`, vtnID: this.vtnID, oadrEvent: this.events } };
      case 'oadrRegisterReport':
        return { type: 'oadrRegisteredReport', body: { eiResponse: ok(message.body.requestID), ...(venID === undefined ? {} : { venID }) } };
      case 'oadrUpdateReport':
        return { type: 'oadrUpdatedReport', body: { eiResponse: ok(message.body.requestID), ...(venID === undefined ? {} : { venID }) } };
      case 'oadrCreateOpt':
        return { type: 'oadrCreatedOpt', body: { eiResponse: ok(message.body.requestID), optID: message.body.optID } };
      case 'oadrCancelOpt':
        return { type: 'oadrCanceledOpt', body: { eiResponse: ok(message.body.requestID), optID: message.body.optID } };
      case 'oadrResponse':
        // The ack of oadrRequestReregistration: the answer is an empty 200 (CHECKLIST 2.1).
        return undefined;
      case 'oadrCreatedEvent':
        return response('');
      case 'oadrRegisteredReport':
      case 'oadrCreatedReport':
      case 'oadrCanceledReport':
      case 'oadrCanceledPartyRegistration':
        return response(message.body.eiResponse.requestID);
      default:
        return response('');
    }
  }
}
