import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  checkConformance,
  decodePayload,
  encodePayload,
  OadrProtocolError,
  pushServiceOf,
  SERVICE_PATH_PREFIX,
  type ConformanceFinding,
  type MessageBody,
  type MessageType,
  type OadrEvent,
  type OadrMessage,
  type OadrReportRequest,
} from '@oadr-kit/protocol';
import { createTlsClientOptions, createTlsServerOptions, type TlsCredential } from '@oadr-kit/security';
import { Agent, request } from 'undici';
import { CaseFailure, type ExchangeModel } from './CertificationCase.js';

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
  /**
   * pull (default): messages a case sends wait for the VEN's next poll. push: they are POSTed to the
   * oadrTransportAddress the VEN registered, over mutual TLS, and a VEN that polls is in breach.
   */
  readonly model?: ExchangeModel;
  /** (push) The VEN is configured to poll as well (TH A_E0_0290): its polls are answered, not held against it. */
  readonly pushVenPolls?: boolean;
  /** How long one round lasts where a case waits on a VEN that does not poll (push, or unregistered); default 1 s. */
  readonly roundMs?: number;
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
  readonly model: ExchangeModel;
  /** (push) Whether the VEN is configured to poll as well, so its polls are no breach. */
  readonly pushVenPolls: boolean;
  /** Events answered to oadrRequestEvent. */
  events: OadrEvent[] = [];
  /** Report requests to piggy-back on the next oadrRegisteredReport (TH R1_3060), then cleared. */
  piggyBack: OadrReportRequest[] = [];
  /** The requestID of the last oadrDistributeEvent answering the VEN's oadrRequestEvent. */
  lastEventsRequestID: string | undefined;
  /** The VEN's current registration, as this VTN assigned it. */
  registration: { venID: string; registrationID: string } | undefined;
  private readonly queued: OadrMessage[] = [];
  private readonly log: Received[] = [];
  private readonly problems: { seq: number; text: string }[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly server: Server;
  private registrations = 0;
  private address: string | undefined;
  private pushAgent: Agent | undefined;
  private pushes: Promise<void> = Promise.resolve();

  constructor(private readonly options: HarnessVtnOptions) {
    this.vtnID = options.vtnID ?? 'oadr-certify-vtn';
    this.model = options.model ?? 'pull';
    this.pushVenPolls = options.pushVenPolls ?? false;
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
    await this.pushes;
    await this.pushAgent?.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Sends a message to the VEN: on one of its next polls (pull), or POSTed to its transport address
   * in order with the other pushes (push), its synchronous answer recorded like any message it sends.
   */
  queue(message: OadrMessage): void {
    if (this.model === 'pull') this.queued.push(message);
    // One push failing must not stop the ones queued after it: whatever it throws is a problem of the run.
    else this.pushes = this.pushes.then(() => this.push(message)).catch((error: unknown) => this.pushFailed(message, error));
  }

  /** The oadrTransportAddress of the VEN's latest registration (push). */
  get transportAddress(): string | undefined {
    const latest = this.log.filter((r) => r.message.type === 'oadrCreatePartyRegistration').at(-1)?.message;
    return latest?.type === 'oadrCreatePartyRegistration' ? latest.body.oadrTransportAddress : undefined;
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

  /**
   * Waits until the VEN has polled `count` more times: a VEN that stays quiet meanwhile sent nothing.
   * A push VEN does not poll: then it waits as long as `count` rounds (pushRoundMs each) and the pushes queued.
   */
  async polls(count: number, signal: AbortSignal): Promise<void> {
    if (this.model === 'push') {
      await this.pushes;
      await this.rounds(count, signal);
      return;
    }
    const from = this.mark();
    while (this.since(from).filter((r) => r.message.type === 'oadrPoll').length < count) {
      await this.nextMessage(signal, `the VEN stopped polling (${count} polls expected)`);
    }
  }

  /** Waits `count` rounds (roundMs each) whatever the VEN does. */
  rounds(count: number, signal: AbortSignal): Promise<void> {
    return pause(count * (this.options.roundMs ?? 1_000), signal, `the case's limit ended a wait of ${count} rounds`);
  }

  /** Like waitFor, but gives up after `count` rounds and then resolves undefined. */
  async within<K extends MessageType>(type: K, from: number, count: number, signal: AbortSignal, match: (body: MessageBody<K>) => boolean = () => true): Promise<MessageBody<K> | undefined> {
    const limit = new AbortController();
    const stop = (): void => limit.abort();
    const timer = setTimeout(stop, count * (this.options.roundMs ?? 1_000));
    signal.addEventListener('abort', stop, { once: true });
    try {
      return await this.waitFor(type, from, limit.signal, match);
    } catch (error) {
      if (signal.aborted || !(error instanceof CaseFailure)) throw error;
      return undefined;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
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
    this.record(service, message);
    if (message.type === 'oadrPoll' && this.model === 'push' && !this.pushVenPolls) {
      this.problems.push({ seq: this.log.length - 1, text: 'a VEN registered for push sent oadrPoll (CHECKLIST 2.1, TH Poll_PUSH)' });
    }
    const answer = this.answer(message);
    this.wake();
    return answer;
  }

  private record(service: string, message: OadrMessage): void {
    const findings = checkConformance(message, { sender: 'ven', now: (this.options.now ?? Date.now)() });
    this.log.push({ seq: this.log.length, service, message, findings });
    // The VEN acknowledged the VTN's cancellation (TH N1_0040): it is no longer registered.
    if (message.type === 'oadrCanceledPartyRegistration' && message.body.eiResponse.responseCode === '200' && message.body.registrationID === this.registration?.registrationID) {
      this.registration = undefined;
    }
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * POSTs a message to the push VEN's transport address as another party, with `credential`, and
   * returns the raw answer: what the VEN tells a party it never registered with (TH N0_5080).
   */
  async pushAs(credential: TlsCredential, message: OadrMessage): Promise<{ status: number; body: string }> {
    const address = this.transportAddress;
    const service = pushServiceOf(message.type);
    if (address === undefined || service === undefined) throw new CaseFailure(`the VEN registered no oadrTransportAddress to push ${message.type} to`);
    const agent = new Agent({ connect: createTlsClientOptions({ credentials: [credential], ca: this.options.ca, checkServerHostname: false }) });
    try {
      const answer = await request(`${address.replace(/\/$/, '')}${SERVICE_PATH_PREFIX}/${service}`, { method: 'POST', body: encodePayload(message), headers: { 'content-type': 'application/xml' }, dispatcher: agent });
      return { status: answer.statusCode, body: await answer.body.text() };
    } catch {
      // A VEN that refuses the handshake or drops the connection gave the party nothing.
      return { status: 0, body: '' };
    } finally {
      await agent.close();
    }
  }

  /** POSTs one message to the push VEN and records its synchronous answer; what goes wrong is a problem of the run. */
  private async push(message: OadrMessage): Promise<void> {
    const service = pushServiceOf(message.type);
    const address = this.transportAddress;
    const fail = (text: string): void => this.pushFailed(message, new Error(text));
    if (service === undefined) return fail('a VTN does not push this message');
    if (address === undefined) return fail('the VEN registered no oadrTransportAddress');
    // A VEN's certificate names the VEN, not a host: the chain and the VEN's key are what the harness checks.
    this.pushAgent ??= new Agent({ connect: createTlsClientOptions({ credentials: [this.options.credentials[0]!], ca: this.options.ca, checkServerHostname: false }) });
    const answer = await request(`${address.replace(/\/$/, '')}${SERVICE_PATH_PREFIX}/${service}`, {
      method: 'POST',
      body: encodePayload(message),
      headers: { 'content-type': 'application/xml' },
      dispatcher: this.pushAgent,
      bodyTimeout: 10_000,
      headersTimeout: 10_000,
    });
    const text = await answer.body.text();
    if (answer.statusCode !== 200) return fail(`HTTP ${answer.statusCode}, expected 200`);
    if (message.type === 'oadrDistributeEvent') {
      // Answered by an empty 200; oadrCreatedEvent follows as a request of the VEN's own (CHECKLIST 2.1).
      if (text !== '') fail('a pushed oadrDistributeEvent is answered with an empty 200, the VEN sent a body');
      return;
    }
    if (text === '') return fail('no synchronous answer');
    this.record(`push:${service}`, decodePayload(text).message);
    this.wake();
  }


  private pushFailed(message: OadrMessage, error: unknown): void {
    const text = error instanceof OadrProtocolError ? `invalid payload: ${error.code} ${error.message}` : error instanceof Error ? error.message : String(error);
    this.problems.push({ seq: this.log.length, text: `push of ${message.type}: ${text}` });
    this.wake();
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
            // A push VEN does not poll: it is told no frequency.
            ...(this.model === 'push' ? {} : { oadrRequestedOadrPollFreq: this.options.pollFrequency ?? 'PT1S' }),
          },
        };
      }
      case 'oadrCancelPartyRegistration':
        this.registration = undefined;
        return { type: 'oadrCanceledPartyRegistration', body: { eiResponse: ok(message.body.requestID), registrationID: message.body.registrationID } };
      case 'oadrPoll':
        return this.queued.shift() ?? response('');
      case 'oadrRequestEvent':
        this.lastEventsRequestID = `dist-${this.log.length}`;
        return { type: 'oadrDistributeEvent', body: { eiResponse: ok(message.body.eiRequestEvent.requestID), requestID: this.lastEventsRequestID, vtnID: this.vtnID, oadrEvent: this.events } };
      case 'oadrRegisterReport': {
        const requests = this.piggyBack;
        this.piggyBack = [];
        return { type: 'oadrRegisteredReport', body: { eiResponse: ok(message.body.requestID), ...(requests.length === 0 ? {} : { oadrReportRequest: requests }), ...(venID === undefined ? {} : { venID }) } };
      }
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

/** Waits `ms`, failing with `failure` when the signal aborts first. */
function pause(ms: number, signal: AbortSignal, failure: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CaseFailure(failure));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = (): void => {
      clearTimeout(timer);
      reject(new CaseFailure(failure));
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}
