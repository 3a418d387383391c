import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  durationToMs,
  formatDateTime,
  formatDuration,
  isNegotiationEvent,
  isSuccessCode,
  NEGOTIATION_REPORT_NAME,
  projectionReport,
  readNegotiationEvent,
  ResponseCode,
  serviceOf,
  type EiEvent,
  type EiResponse,
  type MessageType,
  type NegotiationRound,
  type OadrCancelReport,
  type OadrDistributeEvent,
  type OadrMessage,
  type OadrReport,
  type OadrReportRequest,
  type OptType,
  type ServiceName,
} from '@oadr-kit/protocol';
import { createTlsClientOptions, type TlsCredential } from '@oadr-kit/security';
import { Agent, type Dispatcher } from 'undici';
import type { TimerHandle } from './Clock.js';
import { buildCreatedEvent, EventEngine, executionPhase, toVenEvent, type ExecutionPhase, type OptDecisions, type VenEvent } from './EventEngine.js';
import { Negotiator } from './Negotiator.js';
import { PushListener } from './PushListener.js';
import { ReportRunner } from './ReportRunner.js';
import { dataReport, metadataReports, readReportRequests, specifierIdOf, type ReportSample } from './reports.js';
import { EMPTY_STATE, type Registration, type StoredReportRequest, type VenState } from './StateStore.js';
import { TypedEmitter } from './TypedEmitter.js';
import { NEGOTIATION_REPORT_CAPABILITY, resolveVenOptions, type ResolvedVenOptions, type VenClientOptions } from './VenOptions.js';
import { VenError, VenErrorCode } from './VenError.js';
import { VtnReportRequests, type VtnReportRequest } from './VtnReportRequests.js';
import { VtnIdentity } from './VtnIdentity.js';
import { VtnTransport } from './VtnTransport.js';

type OptReason = Extract<OadrMessage, { type: 'oadrCreateOpt' }>['body']['optReason'];

/** What the application can observe; listeners that throw are reported on `error`. */
export interface VenClientEvents {
  /** Registration (or re-registration) completed: reports registered and events synchronised. */
  registered: [registration: Registration];
  registrationFailed: [error: VenError];
  /** The registration ended: cancelled by the VTN, or by `cancelRegistration()`. */
  registrationCancelled: [by: 'vtn' | 'ven'];
  /** An exchange failed; the next attempt follows after `delayMs`. */
  backoff: [attempt: number, delayMs: number];
  /** A poll finished; `messageType` is what the VTN delivered (oadrResponse when nothing was queued). */
  pollCompleted: [messageType: MessageType | undefined];
  eventReceived: [event: VenEvent, change: 'new' | 'modified'];
  eventStarted: [event: VenEvent];
  eventEnded: [event: VenEvent];
  /** `implied`: the VTN stopped listing the event (rule 61). */
  eventCancelled: [event: VenEvent, implied: boolean];
  reportRequested: [request: StoredReportRequest];
  reportSent: [request: StoredReportRequest, report: OadrReport];
  reportCancelled: [reportRequestID: string];
  /** The VTN's METADATA report listed what it offers (see `requestVtnReport`). */
  vtnReportsOffered: [reports: readonly OadrReport[]];
  /** A delivery of a report this VEN requested from the VTN. */
  vtnReport: [report: OadrReport];
  /** The VTN's clock minus ours, when it changes by more than a second and stays within `maxClockSkewMs`. */
  clockSkew: [offsetMs: number];
  /** A projection answering a negotiation round reached the VTN. */
  negotiationRound: [round: NegotiationRound, profileKw: readonly number[]];
  /** A negotiation ended with its agreed schedule (after `negotiation.agreed` settled). */
  negotiationAgreed: [round: NegotiationRound];
  messageSent: [service: ServiceName, message: OadrMessage, xml: string];
  messageReceived: [service: ServiceName, message: OadrMessage, xml: string];
  /** Background failures; the VEN keeps its last good state and carries on. */
  error: [error: VenError];
}

/** An opt schedule: the windows in which the VEN is (un)available, whatever events come. */
export interface OptSchedule {
  readonly optType: OptType;
  readonly optReason?: OptReason;
  readonly marketContext?: string;
  /** Windows; durationMs 0 = open-ended. */
  readonly availability: readonly { readonly startMs: number; readonly durationMs: number }[];
  readonly resourceIDs?: readonly string[];
  /** Re-sending an optID replaces that schedule (TH P0_7040); default: a new ID. */
  readonly optID?: string;
}

// How long a finished event stays in the state after its end (for late modifications and queries).
const EVENT_RETENTION_MS = 3_600_000;
// A timer never sleeps longer than this, so clock jumps and long events are re-checked.
const MAX_TIMER_MS = 3_600_000;

/**
 * An OpenADR 2.0b VEN: registers with a VTN, polls it (or takes its pushes), executes its events on
 * the clock even while the VTN is unreachable, answers and runs report requests, and sends opts.
 */
export class VenClient extends TypedEmitter<VenClientEvents> {
  readonly options: ResolvedVenOptions;
  readonly #engine = new EventEngine();
  readonly #phases = new Map<string, ExecutionPhase>();
  readonly #reports: ReportRunner;
  readonly #negotiator: Negotiator;
  readonly #vtnReports = new VtnReportRequests();
  // The VTN's request for projections (negotiation option): answered per round, never sampled.
  #projectionRequest: StoredReportRequest | undefined;
  #state: VenState = EMPTY_STATE;
  #transport: VtnTransport | undefined;
  #agent: Agent | undefined;
  #push: PushListener | undefined;
  #pushAddress: string | undefined;
  #started = false;
  #stopping = false;
  #needsRegistration = true;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #eventTimer: TimerHandle | undefined;
  #serial: Promise<unknown> = Promise.resolve();
  #nextPollAt = 0;
  #clockOffsetMs = 0;
  #skewReported = false;
  #registrationHoldOffMs = 0;
  #holdOffTimer: TimerHandle | undefined;
  #vtnIdentity: VtnIdentity | undefined;

  constructor(options: VenClientOptions) {
    super();
    this.options = resolveVenOptions(options);
    this.#reports = new ReportRunner(this.options.clock, {
      read: (request, atMs) => this.#readReport(request, atMs),
      send: (request, samples) => this.#sendReport(request, samples),
      failed: (error) => this.#report(asVenError(error, VenErrorCode.TRANSPORT)),
    });
    this.#negotiator = new Negotiator({
      settled: () => this.#serial,
      respond: (round) => this.#respond(round),
      request: () => this.#projectionRequest,
      send: (round, profileKw, request) => this.#sendProjection(round, profileKw, request),
      agreed: (round) => this.#agreed(round),
      failed: (error) => this.#report(asVenError(error, VenErrorCode.TRANSPORT)),
    });
  }

  /** The current registration, if any. */
  get registration(): Registration | undefined {
    return this.#needsRegistration ? undefined : this.#state.registration;
  }

  /** The events the VEN holds, as of now. */
  get events(): VenEvent[] {
    const now = this.now();
    return this.#engine.events.map((tracked) => toVenEvent(tracked, now));
  }

  /** The push listener's oadrTransportAddress, once started in push mode. */
  get pushAddress(): string | undefined {
    return this.#pushAddress;
  }

  /** The VEN's notion of now: the clock corrected by the VTN's clock offset within `maxClockSkewMs`. */
  now(): number {
    return this.options.clock.now() + this.#clockOffsetMs;
  }

  /**
   * Loads the saved state, resumes executing its events, opens the push listener (push mode) and
   * starts registering in the background; listen to `registered` to know when it is done.
   */
  async start(): Promise<void> {
    if (this.#started) throw new VenError(VenErrorCode.OPTIONS_INVALID, 'start() was called twice');
    this.#started = true;
    this.#stopping = false;
    const saved = await this.options.store.load().catch((error: unknown) => {
      this.#report(asVenError(error, VenErrorCode.STORE_FAILED));
      return undefined;
    });
    if (saved !== undefined) {
      this.#state = saved;
      for (const tracked of saved.events) this.#engine.restore(tracked);
      // Reports requested before a restart go on; deliveries fail (and are reported) until the VTN is back.
      for (const request of saved.reportRequests) {
        if (request.reportSpecifierID !== NEGOTIATION_REPORT_NAME) this.#reports.start(request);
        else if (this.options.negotiation !== undefined) this.#projectionRequest = request;
        // Without the option (and no data point of that specifier) nothing can answer it: it is dropped.
        else if (this.options.reports.some((capability) => specifierIdOf(capability) === NEGOTIATION_REPORT_NAME)) this.#reports.start(request);
      }
    }
    this.#evaluateEvents();
    this.#vtnIdentity = new VtnIdentity(this.options.vtnUrl, this.options.push?.vtnCommonNames);
    this.#vtnIdentity.start();
    const credential = await this.#loadCredential();
    this.#agent =
      this.options.dispatcher === undefined && credential !== undefined
        ? new Agent({ connect: { ...createTlsClientOptions({ credentials: [credential.credential], ca: credential.ca, checkServerHostname: this.options.tls?.checkServerHostname ?? true }) } })
        : this.options.dispatcher === undefined
          ? new Agent()
          : undefined;
    this.#transport = new VtnTransport({
      baseUrl: this.options.vtnUrl,
      dispatcher: this.options.dispatcher ?? (this.#agent as Dispatcher),
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxPayloadBytes: this.options.maxPayloadBytes,
      clock: this.options.clock,
      xmlSignature: this.options.xmlSignature,
      observer: {
        sent: (service, message, xml) => this.emit('messageSent', service, message, xml),
        received: (service, message, xml) => this.emit('messageReceived', service, message, xml),
        clockOffset: (offsetMs) => this.#observeClockOffset(offsetMs),
      },
    });
    if (this.options.push !== undefined && credential !== undefined) {
      const push = this.options.push;
      this.#push = new PushListener({
        host: push.host ?? '0.0.0.0',
        port: push.port,
        credential: credential.credential,
        ca: credential.ca,
        maxPayloadBytes: this.options.maxPayloadBytes,
        xmlSignature: this.options.xmlSignature,
        handle: (service, message, xml) => {
          // Pushed payloads are observed like polled ones, so an application counts all it receives.
          this.emit('messageReceived', service, message, xml);
          if (message.type !== 'oadrDistributeEvent') return this.#serialized(() => this.#handleVtnMessage(message, 'push'));
          // The push is acknowledged with an empty 200 first; oadrCreatedEvent follows as a request of its own.
          this.#serialized(() => this.#handleDistribute(message.body)).catch((failure: unknown) => this.#report(asVenError(failure, VenErrorCode.TRANSPORT)));
          return Promise.resolve(undefined);
        },
        refused: (error) => this.#report(error),
        trusted: (certificate) => this.#vtnIdentity?.knows(certificate) ?? false,
      });
      const address = await this.#push.listen();
      this.#pushAddress = push.transportAddress ?? `https://${push.host ?? '127.0.0.1'}:${address.port}`;
    }
    this.#loop = this.#run();
  }

  /**
   * Stops polling and timers after the exchange in progress finishes (bounded by `requestTimeoutMs`),
   * waits for report deliveries and negotiation answers in progress (unanswered rounds are dropped),
   * saves the state and closes the listener and connections.
   */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await this.#serial.catch(() => undefined);
    await this.#reports.stop();
    if (this.#eventTimer !== undefined) this.options.clock.clearTimeout(this.#eventTimer);
    this.#eventTimer = undefined;
    if (this.#holdOffTimer !== undefined) this.options.clock.clearTimeout(this.#holdOffTimer);
    this.#holdOffTimer = undefined;
    this.#vtnIdentity?.stop();
    await this.#push?.close();
    await this.#negotiator.stop();
    await this.#agent?.close();
    this.#push = undefined;
    this.#agent = undefined;
    this.#started = false;
  }

  /** Asks the VTN for the current events (oadrRequestEvent) and applies them. */
  async requestEvents(): Promise<void> {
    const registration = this.#requireRegistration();
    const answer = await this.#exchange('EiEvent', {
      type: 'oadrRequestEvent',
      body: { eiRequestEvent: { requestID: randomUUID(), venID: registration.venID } },
    });
    if (answer?.type !== 'oadrDistributeEvent') throw unexpected('oadrRequestEvent', answer);
    await this.#serialized(() => this.#handleDistribute(answer.body));
  }

  /** Opts in or out of one event through EiOpt (rule 510); later oadrCreatedEvent opts for it are ignored by the VTN (rule 206). */
  async optEvent(eventID: string, optType: OptType, optReason: OptReason = optType === 'optIn' ? 'participating' : 'notParticipating'): Promise<string> {
    const registration = this.#requireRegistration();
    const tracked = this.#engine.get(eventID);
    if (tracked === undefined) throw new VenError(VenErrorCode.OPTIONS_INVALID, `no event ${eventID} is held`, { field: 'eventID' });
    const optID = randomUUID();
    await this.#sendOpt({
      optID,
      optType,
      optReason,
      venID: registration.venID,
      createdDateTime: formatDateTime(this.now()),
      requestID: randomUUID(),
      qualifiedEventID: { eventID, modificationNumber: tracked.event.eventDescriptor.modificationNumber },
      eiTarget: {},
    });
    this.#engine.setOpt(eventID, optType);
    await this.#save();
    return optID;
  }

  /** Sends an opt schedule (oadrCreateOpt with vavailability); resolves with its optID. */
  async createOptSchedule(schedule: OptSchedule): Promise<string> {
    const registration = this.#requireRegistration();
    if (schedule.availability.length === 0) throw new VenError(VenErrorCode.OPTIONS_INVALID, 'an opt schedule needs at least one availability window', { field: 'availability' });
    const optID = schedule.optID ?? randomUUID();
    await this.#sendOpt({
      optID,
      optType: schedule.optType,
      optReason: schedule.optReason ?? (schedule.optType === 'optIn' ? 'participating' : 'notParticipating'),
      ...(schedule.marketContext === undefined ? {} : { marketContext: schedule.marketContext }),
      venID: registration.venID,
      vavailability: schedule.availability.map((window) => ({ dtstart: formatDateTime(window.startMs), duration: formatDuration(window.durationMs) })),
      createdDateTime: formatDateTime(this.now()),
      requestID: randomUUID(),
      eiTarget: schedule.resourceIDs === undefined ? {} : { resourceID: [...schedule.resourceIDs] },
    });
    return optID;
  }

  /** Cancels an opt (oadrCancelOpt); the VTN answers 452 for an unknown optID, which rejects. */
  async cancelOpt(optID: string): Promise<void> {
    const registration = this.#requireRegistration();
    const answer = await this.#exchange('EiOpt', { type: 'oadrCancelOpt', body: { requestID: randomUUID(), optID, venID: registration.venID } });
    if (answer?.type !== 'oadrCanceledOpt') throw unexpected('oadrCancelOpt', answer);
    checkResponse(answer.body.eiResponse, 'oadrCancelOpt');
  }

  /** The reports the VTN offers, from its latest METADATA report. */
  vtnReportsOffered(): readonly OadrReport[] {
    return this.#vtnReports.offered;
  }

  /**
   * Asks the VTN for a report it offers (oadrCreateReport); resolves with the reportRequestID once the
   * VTN accepted it. Deliveries arrive as `vtnReport` events.
   */
  async requestVtnReport(request: VtnReportRequest): Promise<string> {
    const registration = this.#requireRegistration();
    const reportRequest = this.#vtnReports.build(request);
    // Known before the request goes out: the first delivery can overtake the answer.
    this.#vtnReports.requested(reportRequest.reportRequestID);
    try {
      const answer = await this.#exchange('EiReport', { type: 'oadrCreateReport', body: { requestID: randomUUID(), oadrReportRequest: [reportRequest], venID: registration.venID } });
      if (answer?.type !== 'oadrCreatedReport') throw unexpected('oadrCreateReport', answer);
      checkResponse(answer.body.eiResponse, 'oadrCreateReport');
    } catch (failure) {
      this.#vtnReports.forget(reportRequest.reportRequestID);
      throw failure;
    }
    return reportRequest.reportRequestID;
  }

  /** Cancels a request made with requestVtnReport; with `reportToFollow` the VTN sends one last delivery. */
  async cancelVtnReport(reportRequestID: string, reportToFollow = false): Promise<void> {
    const registration = this.#requireRegistration();
    if (!this.#vtnReports.has(reportRequestID)) throw new VenError(VenErrorCode.OPTIONS_INVALID, `no VTN report request ${reportRequestID} is held`, { field: 'reportRequestID' });
    const answer = await this.#exchange('EiReport', { type: 'oadrCancelReport', body: { requestID: randomUUID(), reportRequestID: [reportRequestID], reportToFollow, venID: registration.venID } });
    if (answer?.type !== 'oadrCanceledReport') throw unexpected('oadrCancelReport', answer);
    checkResponse(answer.body.eiResponse, 'oadrCancelReport');
    this.#vtnReports.cancelled(reportRequestID, reportToFollow);
  }

  /** Ends the registration with the VTN (oadrCancelPartyRegistration); the VEN stops polling until restarted. */
  async cancelRegistration(): Promise<void> {
    const registration = this.#requireRegistration();
    const answer = await this.#exchange('EiRegisterParty', {
      type: 'oadrCancelPartyRegistration',
      body: { requestID: randomUUID(), registrationID: registration.registrationID, venID: registration.venID },
    });
    if (answer?.type !== 'oadrCanceledPartyRegistration') throw unexpected('oadrCancelPartyRegistration', answer);
    checkResponse(answer.body.eiResponse, 'oadrCancelPartyRegistration');
    await this.#forgetRegistration();
    this.#stopping = true;
    this.#wake?.();
    this.emit('registrationCancelled', 'ven');
  }

  // ---- the loop ----

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      let delayMs: number;
      const registering = this.#needsRegistration;
      try {
        if (registering) {
          await this.#register();
          this.#nextPollAt = this.options.clock.now() + this.#pollIntervalMs();
        } else if (this.options.push === undefined) {
          const scheduled = this.#nextPollAt;
          await this.#poll();
          // Fixed rate: a slow cycle is followed by the next poll at once, never by an overlap or a skip.
          this.#nextPollAt = Math.max(scheduled + this.#pollIntervalMs(), this.options.clock.now());
        }
        failures = 0;
        if (this.#needsRegistration) {
          delayMs = this.#registrationHoldOffMs;
          this.#registrationHoldOffMs = 0;
        } else {
          delayMs = this.options.push === undefined ? this.#nextPollAt - this.options.clock.now() : MAX_TIMER_MS;
        }
      } catch (error) {
        if (this.#stopping) break;
        failures++;
        const venError = asVenError(error, VenErrorCode.TRANSPORT);
        if (registering) this.emit('registrationFailed', venError);
        if (venError.responseCode === ResponseCode.NOT_REGISTERED_OR_AUTHORIZED) this.#needsRegistration = true;
        this.#report(venError);
        delayMs = this.#backoffDelay(failures);
        this.options.logger.warn({ attempt: failures, delayMs }, 'backing off');
        this.emit('backoff', failures, delayMs);
      }
      await this.#sleep(delayMs);
    }
  }

  #sleep(delayMs: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
      this.#wake = () => {
        this.options.clock.clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #backoffDelay(attempt: number): number {
    const { initialMs, maxMs, multiplier, jitter } = this.options.backoff;
    const ceiling = Math.min(maxMs, initialMs * multiplier ** (attempt - 1));
    return Math.round(ceiling * (1 - jitter * this.options.random()));
  }

  /** oadrPendingReports: the periodic requests running and the projection request. */
  #pendingReports(): string[] {
    return [...this.#reports.pending(), ...(this.#projectionRequest === undefined ? [] : [this.#projectionRequest.reportRequestID])];
  }

  #pollIntervalMs(): number {
    return this.#state.registration?.pollIntervalMs ?? this.options.pollIntervalMs;
  }

  // ---- registration (CHECKLIST §1.4) ----

  async #register(): Promise<void> {
    const query = await this.#exchange('EiRegisterParty', { type: 'oadrQueryRegistration', body: { requestID: randomUUID() } });
    if (query?.type !== 'oadrCreatedPartyRegistration') throw unexpected('oadrQueryRegistration', query);
    checkResponse(query.body.eiResponse, 'oadrQueryRegistration');
    await this.#checkVtnId(query.body.vtnID);
    const previous = this.#state.registration;
    const venID = previous?.venID ?? this.options.venId;
    const created = await this.#exchange('EiRegisterParty', {
      type: 'oadrCreatePartyRegistration',
      body: {
        requestID: randomUUID(),
        ...(previous === undefined ? {} : { registrationID: previous.registrationID }),
        ...(venID === undefined ? {} : { venID }),
        oadrProfileName: '2.0b',
        oadrTransportName: 'simpleHttp',
        ...(this.#pushAddress === undefined ? {} : { oadrTransportAddress: this.#pushAddress }),
        oadrReportOnly: false,
        oadrXmlSignature: this.options.xmlSignature !== undefined,
        oadrVenName: this.options.venName,
        oadrHttpPullModel: this.options.push === undefined,
      },
    });
    if (created?.type !== 'oadrCreatedPartyRegistration') throw unexpected('oadrCreatePartyRegistration', created);
    checkResponse(created.body.eiResponse, 'oadrCreatePartyRegistration');
    await this.#checkVtnId(created.body.vtnID);
    const { registrationID, venID: assigned, oadrRequestedOadrPollFreq } = created.body;
    if (registrationID === undefined || registrationID === '' || assigned === undefined || assigned === '') {
      throw new VenError(VenErrorCode.BAD_PAYLOAD, 'oadrCreatedPartyRegistration carries no registrationID or venID');
    }
    let requestedMs = 0;
    try {
      requestedMs = oadrRequestedOadrPollFreq === undefined ? 0 : durationToMs(oadrRequestedOadrPollFreq);
    } catch (error) {
      throw new VenError(VenErrorCode.BAD_PAYLOAD, `oadrRequestedOadrPollFreq ${String(oadrRequestedOadrPollFreq)} has no fixed length`, { cause: error });
    }
    const registration: Registration = {
      venID: assigned,
      registrationID,
      vtnID: created.body.vtnID,
      // Never poll faster than the VTN asks (rules 54, 55).
      pollIntervalMs: Math.max(this.options.pollIntervalMs, requestedMs),
    };
    this.#state = { ...this.#state, registration };
    await this.#save();
    await this.#registerReports(undefined);
    const distribute = await this.#exchange('EiEvent', {
      type: 'oadrRequestEvent',
      body: { eiRequestEvent: { requestID: randomUUID(), venID: registration.venID } },
    });
    if (distribute?.type !== 'oadrDistributeEvent') throw unexpected('oadrRequestEvent', distribute);
    this.#needsRegistration = false;
    await this.#serialized(() => this.#handleDistribute(distribute.body));
    this.options.logger.info({ venID: registration.venID, vtnID: registration.vtnID, pollIntervalMs: registration.pollIntervalMs }, 'registered with the VTN');
    this.emit('registered', registration);
  }

  async #checkVtnId(vtnID: string): Promise<void> {
    const expected = this.options.vtnId ?? this.#state.vtnID;
    if (expected === undefined) {
      this.#state = { ...this.#state, vtnID };
      await this.#save();
      return;
    }
    if (vtnID !== expected) {
      throw new VenError(VenErrorCode.VTN_ID_CHANGED, `the VTN presents vtnID "${vtnID}", this VEN is bound to "${expected}"; its state is kept and the answer refused`);
    }
  }

  async #forgetRegistration(): Promise<void> {
    this.#needsRegistration = true;
    this.#state = { ...this.#state, registration: undefined };
    await this.#save();
  }

  #requireRegistration(): Registration {
    const registration = this.registration;
    if (registration === undefined) throw new VenError(VenErrorCode.NOT_REGISTERED, 'the VEN is not registered with the VTN');
    return registration;
  }

  // ---- poll and VTN-originated messages ----

  async #poll(): Promise<void> {
    const registration = this.#requireRegistration();
    const answer = await this.#exchange('OadrPoll', { type: 'oadrPoll', body: { venID: registration.venID } });
    if (answer === undefined || answer.type === 'oadrResponse') {
      const code = answer?.body.eiResponse.responseCode;
      if (code === ResponseCode.NOT_REGISTERED_OR_AUTHORIZED || code === ResponseCode.INVALID_ID) {
        // The VTN no longer knows this VEN (it lost its state, or was reset): register again.
        this.#needsRegistration = true;
        throw new VenError(VenErrorCode.RESPONSE_CODE, `the VTN answered oadrPoll with ${code}: registering again`, { responseCode: ResponseCode.NOT_REGISTERED_OR_AUTHORIZED });
      }
      this.emit('pollCompleted', answer?.type);
      return;
    }
    await this.#serialized(() => this.#handleVtnMessage(answer, 'pull'));
    this.emit('pollCompleted', answer.type);
  }

  /**
   * Handles a message the VTN originated (polled or pushed). In push mode the synchronous reply is
   * returned for the HTTP answer; in pull mode it is POSTed to the matching VTN service (CHECKLIST §1.4).
   */
  async #handleVtnMessage(message: OadrMessage, via: 'pull' | 'push'): Promise<OadrMessage | undefined> {
    const reply = await this.#replyTo(message);
    if (reply === undefined || via === 'push') return reply;
    // The one oadrResponse a VEN sends on its own acknowledges oadrRequestReregistration.
    const service = reply.type === 'oadrResponse' ? 'EiRegisterParty' : serviceOf(reply.type);
    const answer = await this.#exchange(service, reply);
    if (answer?.type === 'oadrResponse') checkResponse(answer.body.eiResponse, reply.type);
    return undefined;
  }

  async #replyTo(message: OadrMessage): Promise<OadrMessage | undefined> {
    const venID = this.#state.registration?.venID;
    switch (message.type) {
      case 'oadrDistributeEvent':
        // A pushed distribute gets an empty 200; the oadrCreatedEvent goes separately (CHECKLIST §2.1).
        await this.#handleDistribute(message.body);
        return undefined;
      case 'oadrRequestReregistration':
        this.#needsRegistration = true;
        this.#wake?.();
        return { type: 'oadrResponse', body: { eiResponse: ok(''), ...(venID === undefined ? {} : { venID }) } };
      case 'oadrCancelPartyRegistration': {
        const registration = this.#state.registration;
        if (registration === undefined || message.body.registrationID !== registration.registrationID) {
          return { type: 'oadrCanceledPartyRegistration', body: { eiResponse: error(ResponseCode.INVALID_ID, 'unknown registrationID', message.body.requestID) } };
        }
        await this.#forgetRegistration();
        // The VTN ended the registration on purpose: ask again only after the longest backoff. A push
        // VEN's loop sleeps until woken, so it is woken then; a pull VEN's loop takes the delay after this poll.
        if (this.options.push === undefined) this.#registrationHoldOffMs = this.options.backoff.maxMs;
        else {
          this.#holdOffTimer = this.options.clock.setTimeout(() => {
            this.#holdOffTimer = undefined;
            this.#wake?.();
          }, this.options.backoff.maxMs);
        }
        this.emit('registrationCancelled', 'vtn');
        return {
          type: 'oadrCanceledPartyRegistration',
          body: { eiResponse: ok(message.body.requestID), registrationID: registration.registrationID, venID: registration.venID },
        };
      }
      case 'oadrCreateReport': {
        const result = await this.#acceptReportRequests(message.body.oadrReportRequest);
        return {
          type: 'oadrCreatedReport',
          body: {
            eiResponse: result === undefined ? ok(message.body.requestID) : error(result.responseCode, result.description, message.body.requestID),
            oadrPendingReports: this.#pendingReports(),
            ...(venID === undefined ? {} : { venID }),
          },
        };
      }
      case 'oadrRegisterReport':
        // The VTN's own metadata: answered even when it lists nothing (OLpy #135); the application asks for what it wants.
        this.#vtnReports.takeMetadata(message.body.oadrReport ?? []);
        this.emit('vtnReportsOffered', this.#vtnReports.offered);
        return { type: 'oadrRegisteredReport', body: { eiResponse: ok(message.body.requestID), ...(venID === undefined ? {} : { venID }) } };
      case 'oadrUpdateReport': {
        const { reports, reply } = this.#vtnReports.take(message.body, venID);
        for (const report of reports) this.emit('vtnReport', report);
        return { type: 'oadrUpdatedReport', body: reply };
      }
      case 'oadrCancelReport':
        return this.#cancelReports(message.body);
      case 'oadrResponse':
        return undefined;
      default:
        throw new VenError(VenErrorCode.UNEXPECTED_MESSAGE, `the VTN sent ${message.type}, which a VEN does not accept`);
    }
  }

  // ---- events ----

  async #handleDistribute(distribute: OadrDistributeEvent): Promise<void> {
    const registration = this.#state.registration;
    if (registration === undefined) throw new VenError(VenErrorCode.NOT_REGISTERED, 'an oadrDistributeEvent arrived before registration');
    const now = this.now();
    const plan = this.#engine.plan(distribute, {
      nowMs: now,
      vtnID: registration.vtnID,
      supportedSignals: this.options.supportedSignals,
      random: this.options.random,
      venID: registration.venID,
      targets: this.options.targets,
    });
    const decisions: OptDecisions = new Map();
    if (plan.vtnMismatch) {
      this.#report(new VenError(VenErrorCode.VTN_ID_CHANGED, `an oadrDistributeEvent came from vtnID "${distribute.vtnID}", this VEN is bound to "${registration.vtnID}"; refused, events kept`));
    } else {
      const rounds = plan.items.filter((item) => item.needsDecision && this.#isRound(item.candidate?.event));
      await Promise.all(
        plan.items
          // The negotiation is the VEN's answer to a round: it always takes part.
          .filter((item) => item.needsDecision && item.candidate !== undefined && !rounds.includes(item))
          .map(async (item) => decisions.set(item.eventID, await this.#decideOpt(toVenEvent(item.candidate as NonNullable<typeof item.candidate>, now)))),
      );
      const changes = this.#engine.commit(plan, decisions, now);
      for (const item of plan.items) {
        if (item.kind === 'refused' || item.kind === 'stale') {
          this.#report(new VenError(VenErrorCode.EVENT_REFUSED, `event ${item.eventID} (modification ${item.modificationNumber}) refused: ${item.responseDescription ?? item.responseCode}`, { responseCode: item.responseCode }));
        }
      }
      await this.#save();
      for (const change of changes) {
        const tracked = this.#engine.get(change.eventID);
        if (tracked === undefined) continue;
        if (change.type === 'cancelled') {
          this.#negotiator.cancel(change.eventID);
          this.emit('eventCancelled', toVenEvent(tracked, now), change.implied);
        } else this.emit('eventReceived', toVenEvent(tracked, now), change.type === 'received' ? 'new' : 'modified');
      }
      this.#evaluateEvents();
      // The rounds are answered once oadrCreatedEvent is through (the negotiator waits for this exchange).
      for (const item of rounds) {
        const round = item.candidate === undefined ? undefined : readNegotiationEvent(item.candidate.event);
        if (round !== undefined) this.#negotiator.offer(round);
      }
    }
    const created = buildCreatedEvent(plan, decisions, registration.venID, (eventID) => this.#engine.get(eventID));
    if (created === undefined) return;
    const answer = await this.#exchange('EiEvent', { type: 'oadrCreatedEvent', body: created });
    if (answer?.type === 'oadrResponse') checkResponse(answer.body.eiResponse, 'oadrCreatedEvent');
  }

  async #decideOpt(event: VenEvent): Promise<OptType> {
    const handler = this.options.handlers.decideOpt;
    if (handler === undefined) return 'optIn';
    try {
      const decision = await this.#withTimeout(handler(event), 'decideOpt');
      if (decision !== 'optIn' && decision !== 'optOut') throw new TypeError(`decideOpt returned ${String(decision)}, not optIn or optOut`);
      return decision;
    } catch (error) {
      this.#report(new VenError(VenErrorCode.HANDLER_FAILED, `decideOpt failed for event ${event.eventID}; answering ${this.options.defaultOpt}`, { cause: error }));
      return this.options.defaultOpt;
    }
  }

  // ---- negotiation (DESIGN.md, "The negotiation over OpenADR") ----

  #isRound(event: EiEvent | undefined): boolean {
    return this.options.negotiation !== undefined && event !== undefined && isNegotiationEvent(event);
  }

  async #respond(round: NegotiationRound): Promise<readonly number[]> {
    const negotiation = this.options.negotiation as NonNullable<typeof this.options.negotiation>;
    const about = `round ${round.iteration} of negotiation ${round.sessionId}`;
    let answer: ArrayLike<number>;
    try {
      answer = await this.#withTimeout(Promise.resolve().then(() => negotiation.respond(round)), 'negotiation.respond');
    } catch (failure) {
      throw new VenError(VenErrorCode.HANDLER_FAILED, `negotiation.respond failed for ${about}; nothing sent`, { cause: failure });
    }
    const slots = round.targetKw.length;
    if (typeof answer !== 'object' || answer === null || answer.length !== slots) {
      throw new VenError(VenErrorCode.HANDLER_FAILED, `negotiation.respond answered ${about} with ${answer === null || typeof answer !== 'object' ? String(answer) : `${answer.length} values`}, not ${slots}; nothing sent`);
    }
    const profileKw = Array.from(answer);
    const bad = profileKw.findIndex((kw) => typeof kw !== 'number' || !Number.isFinite(kw));
    if (bad >= 0) throw new VenError(VenErrorCode.HANDLER_FAILED, `negotiation.respond answered ${about} with ${String(profileKw[bad])} for slot ${bad}; nothing sent`);
    return profileKw;
  }

  async #sendProjection(round: NegotiationRound, profileKw: readonly number[], request: StoredReportRequest): Promise<void> {
    const report = projectionReport({
      sessionId: round.sessionId,
      iteration: round.iteration,
      reportRequestID: request.reportRequestID,
      reportSpecifierID: request.reportSpecifierID,
      rID: NEGOTIATION_REPORT_CAPABILITY.rID,
      startMs: round.startMs,
      slotMs: round.slotMs,
      profileKw,
      createdMs: this.now(),
    });
    await this.#updateReport(request, report);
    this.emit('negotiationRound', round, profileKw);
  }

  async #agreed(round: NegotiationRound): Promise<void> {
    const negotiation = this.options.negotiation as NonNullable<typeof this.options.negotiation>;
    if (negotiation.agreed !== undefined) {
      try {
        await this.#withTimeout(Promise.resolve().then(() => negotiation.agreed?.(round)), 'negotiation.agreed');
      } catch (failure) {
        this.#report(new VenError(VenErrorCode.HANDLER_FAILED, `negotiation.agreed failed for negotiation ${round.sessionId}`, { cause: failure }));
      }
    }
    this.emit('negotiationAgreed', round);
  }

  /** Emits started/ended for every phase change since the last look, and sets the timer for the next one. */
  #evaluateEvents(): void {
    if (this.#eventTimer !== undefined) this.options.clock.clearTimeout(this.#eventTimer);
    this.#eventTimer = undefined;
    const now = this.now();
    const held = new Set<string>();
    for (const tracked of this.#engine.events) {
      const eventID = tracked.event.eventDescriptor.eventID;
      held.add(eventID);
      const before = this.#phases.get(eventID) ?? 'pending';
      const after = executionPhase(tracked, now);
      this.#phases.set(eventID, after);
      if (before === 'pending' && after === 'active') this.emit('eventStarted', toVenEvent(tracked, now));
      if (before === 'active' && after === 'done') this.emit('eventEnded', toVenEvent(tracked, now));
    }
    for (const eventID of [...this.#phases.keys()]) if (!held.has(eventID)) this.#phases.delete(eventID);
    if (this.#engine.prune(now, EVENT_RETENTION_MS).length > 0) void this.#save();
    if (this.#stopping) return;
    const next = this.#engine.nextChangeAfter(now);
    if (next !== undefined || this.#engine.events.length > 0) {
      const delay = next === undefined ? MAX_TIMER_MS : Math.min(next - now, MAX_TIMER_MS);
      this.#eventTimer = this.options.clock.setTimeout(() => this.#evaluateEvents(), delay);
    }
  }

  // ---- reports (CHECKLIST §4) ----

  async #registerReports(reportRequestID: string | undefined): Promise<void> {
    const registration = this.#requireRegistrationState();
    const answer = await this.#exchange('EiReport', {
      type: 'oadrRegisterReport',
      body: {
        requestID: randomUUID(),
        ...(this.options.reports.length === 0 ? {} : { oadrReport: metadataReports(this.options.reports, this.now()) }),
        venID: registration.venID,
        ...(reportRequestID === undefined ? {} : { reportRequestID }),
      },
    });
    if (answer?.type !== 'oadrRegisteredReport') throw unexpected('oadrRegisterReport', answer);
    checkResponse(answer.body.eiResponse, 'oadrRegisterReport');
    const requests = answer.body.oadrReportRequest ?? [];
    if (requests.length === 0) return;
    // Requests piggy-backed on oadrRegisteredReport are answered like an oadrCreateReport (TH R*_8060),
    // and like it in turn with VTN messages, so a projection they release follows oadrCreatedReport.
    await this.#serialized(async () => {
      const result = await this.#acceptReportRequests(requests);
      const created = await this.#exchange('EiReport', {
        type: 'oadrCreatedReport',
        body: {
          eiResponse: result === undefined ? ok(answer.body.eiResponse.requestID) : error(result.responseCode, result.description, answer.body.eiResponse.requestID),
          oadrPendingReports: this.#pendingReports(),
          venID: registration.venID,
        },
      });
      if (created?.type === 'oadrResponse') checkResponse(created.body.eiResponse, 'oadrCreatedReport');
    });
  }

  async #acceptReportRequests(requests: readonly OadrReportRequest[]): Promise<{ responseCode: ResponseCode; description: string } | undefined> {
    const result = readReportRequests(requests, this.options.reports, this.now());
    if (!result.ok) {
      this.#report(new VenError(VenErrorCode.RESPONSE_CODE, `report request refused: ${result.description}`, { responseCode: result.responseCode }));
      return { responseCode: result.responseCode, description: result.description };
    }
    let projection = false;
    for (const request of result.requests) {
      if (request.reportSpecifierID === NEGOTIATION_REPORT_NAME && this.options.negotiation !== undefined) {
        // Answered round by round; the newest request replaces any earlier one.
        this.#projectionRequest = request;
        projection = true;
      } else {
        this.#reports.start(request);
      }
      this.emit('reportRequested', request);
    }
    await this.#save();
    if (projection) this.#negotiator.requestArrived();
    for (const reportRequestID of result.metadataRequestIDs) {
      // Re-publishing metadata is a request of its own; it runs after this answer is sent.
      setImmediate(() => {
        this.#registerReports(reportRequestID).catch((failure: unknown) => this.#report(asVenError(failure, VenErrorCode.TRANSPORT)));
      });
    }
    return undefined;
  }

  async #cancelReports(cancel: OadrCancelReport): Promise<OadrMessage> {
    const venID = this.#state.registration?.venID;
    const unknown = cancel.reportRequestID.find((id) => !this.#reports.has(id) && this.#projectionRequest?.reportRequestID !== id);
    if (unknown !== undefined) {
      return {
        type: 'oadrCanceledReport',
        body: { eiResponse: error(ResponseCode.INVALID_ID, `unknown reportRequestID ${unknown}`, cancel.requestID), oadrPendingReports: this.#pendingReports(), ...(venID === undefined ? {} : { venID }) },
      };
    }
    for (const id of cancel.reportRequestID) {
      if (this.#projectionRequest?.reportRequestID === id) this.#projectionRequest = undefined;
      else await this.#reports.cancel(id, cancel.reportToFollow);
      this.emit('reportCancelled', id);
    }
    await this.#save();
    return { type: 'oadrCanceledReport', body: { eiResponse: ok(cancel.requestID), oadrPendingReports: this.#pendingReports(), ...(venID === undefined ? {} : { venID }) } };
  }

  async #readReport(request: StoredReportRequest, atMs: number) {
    const handler = this.options.handlers.readReport;
    if (handler === undefined) return [];
    try {
      const readings = await this.#withTimeout(handler({ reportRequestID: request.reportRequestID, reportSpecifierID: request.reportSpecifierID, rIDs: request.rIDs, atMs }), 'readReport');
      return readings.filter((reading) => request.rIDs.includes(reading.rID));
    } catch (failure) {
      throw new VenError(VenErrorCode.HANDLER_FAILED, `readReport failed for request ${request.reportRequestID}`, { cause: failure });
    }
  }

  async #sendReport(request: StoredReportRequest, samples: readonly ReportSample[]): Promise<void> {
    const reportName = this.options.reports.find((capability) => specifierIdOf(capability) === request.reportSpecifierID)?.reportName ?? request.reportSpecifierID;
    await this.#updateReport(request, dataReport(request, reportName, samples, this.now()));
    if (!this.#reports.has(request.reportRequestID)) await this.#save();
  }

  async #updateReport(request: StoredReportRequest, report: OadrReport): Promise<void> {
    const registration = this.#requireRegistrationState();
    const answer = await this.#exchange('EiReport', { type: 'oadrUpdateReport', body: { requestID: randomUUID(), oadrReport: [report], venID: registration.venID } });
    if (answer?.type !== 'oadrUpdatedReport') throw unexpected('oadrUpdateReport', answer);
    checkResponse(answer.body.eiResponse, 'oadrUpdateReport');
    this.emit('reportSent', request, report);
    const piggyBacked = answer.body.oadrCancelReport;
    if (piggyBacked !== undefined) {
      // A cancellation riding on oadrUpdatedReport (TH R*_8050): stop after this answer is handled.
      setImmediate(() => {
        this.#cancelReports({ ...piggyBacked, reportToFollow: false })
          .then((reply) => this.#exchange('EiReport', reply))
          .catch((failure: unknown) => this.#report(asVenError(failure, VenErrorCode.TRANSPORT)));
      });
    }
  }

  // ---- opt (CHECKLIST §5) ----

  async #sendOpt(body: Extract<OadrMessage, { type: 'oadrCreateOpt' }>['body']): Promise<void> {
    const answer = await this.#exchange('EiOpt', { type: 'oadrCreateOpt', body });
    if (answer?.type !== 'oadrCreatedOpt') throw unexpected('oadrCreateOpt', answer);
    checkResponse(answer.body.eiResponse, 'oadrCreateOpt');
  }

  // ---- plumbing ----

  async #exchange(service: ServiceName, message: OadrMessage): Promise<OadrMessage | undefined> {
    if (this.#transport === undefined) throw new VenError(VenErrorCode.NOT_REGISTERED, 'the VEN is not started');
    return this.#transport.exchange(service, message);
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#serial.then(work, work);
    this.#serial = result.catch(() => undefined);
    return result;
  }

  #withTimeout<T>(promise: Promise<T>, name: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(
        () => reject(new VenError(VenErrorCode.HANDLER_FAILED, `${name} did not answer within ${this.options.handlerTimeoutMs} ms`)),
        this.options.handlerTimeoutMs,
      );
      promise.then(
        (value) => {
          this.options.clock.clearTimeout(timer);
          resolve(value);
        },
        (failure: unknown) => {
          this.options.clock.clearTimeout(timer);
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        },
      );
    });
  }

  #observeClockOffset(offsetMs: number): void {
    // The Date header has whole seconds: offsets under 1.5 s are noise.
    const measured = Math.abs(offsetMs) < 1500 ? 0 : Math.round(offsetMs);
    if (Math.abs(measured) > this.options.maxClockSkewMs) {
      if (!this.#skewReported) {
        this.#skewReported = true;
        this.#report(new VenError(VenErrorCode.CLOCK_SKEW, `the VTN's clock is ${measured} ms from ours, beyond maxClockSkewMs (${this.options.maxClockSkewMs}); keeping our clock`));
      }
      return;
    }
    this.#skewReported = false;
    if (Math.abs(measured - this.#clockOffsetMs) < 1000) return;
    this.#clockOffsetMs = measured;
    this.emit('clockSkew', measured);
    this.#evaluateEvents();
  }

  async #save(): Promise<void> {
    const reportRequests = [...this.#reports.requests(), ...(this.#projectionRequest === undefined ? [] : [this.#projectionRequest])];
    this.#state = { ...this.#state, events: this.#engine.events, reportRequests };
    try {
      await this.options.store.save(this.#state);
    } catch (failure) {
      this.#report(asVenError(failure, VenErrorCode.STORE_FAILED));
    }
  }

  async #loadCredential(): Promise<{ credential: TlsCredential; ca: string } | undefined> {
    const tls = this.options.tls;
    if (tls === undefined) return undefined;
    const read = async (file: string | undefined, pem: string | undefined, field: string): Promise<string> => {
      if (pem !== undefined) return pem;
      try {
        return await readFile(file as string, 'utf8');
      } catch (failure) {
        throw new VenError(VenErrorCode.OPTIONS_INVALID, `options.tls.${field} cannot be read: ${String(file)}`, { cause: failure, field: `tls.${field}` });
      }
    };
    const [certificatePem, keyPem, ca] = await Promise.all([
      read(tls.certFile, tls.certPem, 'certFile'),
      read(tls.keyFile, tls.keyPem, 'keyFile'),
      read(tls.caFile, tls.caPem, 'caFile'),
    ]);
    return { credential: { certificatePem, keyPem }, ca };
  }

  #requireRegistrationState(): Registration {
    const registration = this.#state.registration;
    if (registration === undefined) throw new VenError(VenErrorCode.NOT_REGISTERED, 'the VEN is not registered with the VTN');
    return registration;
  }

  #report(failure: VenError): void {
    this.options.logger.error({ code: failure.code, responseCode: failure.responseCode, httpStatus: failure.httpStatus }, failure.message);
    this.emit('error', failure);
  }
}

function ok(requestID: string): EiResponse {
  return { responseCode: ResponseCode.OK, requestID };
}

function error(responseCode: ResponseCode, description: string, requestID: string): EiResponse {
  return { responseCode, responseDescription: description, requestID };
}

function checkResponse(response: EiResponse, request: string): void {
  if (isSuccessCode(response.responseCode)) return;
  throw new VenError(
    VenErrorCode.RESPONSE_CODE,
    `the VTN answered ${request} with ${response.responseCode}${response.responseDescription === undefined ? '' : ` (${response.responseDescription})`}`,
    { responseCode: response.responseCode },
  );
}

function unexpected(request: string, answer: OadrMessage | undefined): VenError {
  return new VenError(VenErrorCode.UNEXPECTED_MESSAGE, `the VTN answered ${request} with ${answer === undefined ? 'an empty body' : answer.type}`);
}

function asVenError(failure: unknown, code: VenErrorCode): VenError {
  if (failure instanceof VenError) return failure;
  return new VenError(code, failure instanceof Error ? failure.message : String(failure), { cause: failure });
}
