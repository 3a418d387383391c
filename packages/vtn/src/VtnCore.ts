import { randomUUID } from 'node:crypto';
import {
  checkPayload,
  durationToMs,
  encodePayload,
  formatDateTime,
  OadrInvalidArgumentError,
  parseDateTime,
  type EiTarget,
  type MessageBody,
  type OadrEvent,
  type OadrMessage,
  type OadrReport,
  type OadrReportRequest,
} from '@oadr-kit/protocol';
import type { Logger } from 'pino';
import type { VtnConfig } from './config.js';
import { eventTimes, orderEvents, toOadrEvent, visibleUntil } from './domain/eventLifecycle.js';
import { choosePollAnswer } from './domain/pollOrder.js';
import { targetsVen } from './domain/targets.js';
import { offeredMetadata } from './domain/vtnReports.js';
import { LastSeen } from './LastSeen.js';
import { VtnReportPublisher } from './VtnReportPublisher.js';
import type { EventRecord, EventSpec, OutboxMessage, VenRecord, VtnRepository, VtnStore } from './store/VtnStore.js';
import { VtnError, VtnErrorCode } from './VtnError.js';

export const newId = (): string => randomUUID();

/** An event as an operator describes it (admin API body). */
export interface EventInput {
  eventID?: string;
  programID?: string;
  marketContext?: string;
  priority?: number;
  testEvent?: boolean | string;
  vtnComment?: string;
  modificationReason?: string;
  responseRequired?: 'always' | 'never';
  activePeriod: EventSpec['activePeriod'];
  signals: EventSpec['signals'];
  baseline?: EventSpec['baseline'];
  target?: EiTarget;
}

/** One change of `changeEvents`: a new event, or a modification of an existing one. */
export type EventChange = { kind: 'create'; input: EventInput } | { kind: 'modify'; eventID: string; input: EventInput; expectedModification?: number };

export interface ReportRequestInput {
  reportSpecifierID: string;
  granularity: string;
  reportBackDuration: string;
  reportInterval?: { dtstart: string; duration: string };
  /** Data points to report; default every rID the VEN registered for the specifier. */
  rIDs?: string[];
}

/** A message the VTN sends (by poll or push) with what to record once it is out. */
export interface Outgoing {
  message: OadrMessage;
  commit(tx: VtnRepository, at: number): Promise<boolean>;
}

export interface VtnCoreOptions {
  store: VtnStore;
  config: Readonly<VtnConfig>;
  clock: () => number;
  log: Logger;
  /** Told when a VEN has something new to receive (the pusher listens). */
  onWork?: (venIDs: readonly string[]) => void;
}

/**
 * The VTN's state transitions shared by the wire services, the pusher and the admin API. Every change
 * happens inside one store transaction, so it is durable before anything is acknowledged.
 */
export class VtnCore {
  readonly store: VtnStore;
  readonly config: Readonly<VtnConfig>;
  readonly clock: () => number;
  readonly log: Logger;
  onWork: (venIDs: readonly string[]) => void;
  /** When each VEN last made an authenticated request (flushed to the store every few seconds). */
  readonly lastSeen: LastSeen;
  /**
   * requestIDs of distributes pushed to each VEN and not yet recorded: a push VEN may answer with
   * oadrCreatedEvent before the push is over, naming a requestID the store does not know yet.
   */
  readonly #pushing = new Map<string, Set<string>>();
  /** Serves the VENs' requests for the reports the VTN offers. */
  readonly vtnReports: VtnReportPublisher;
  readonly #reportListeners = new Set<(venID: string, reports: readonly OadrReport[]) => void>();
  readonly #reportChecks = new Set<(venID: string, report: OadrReport) => string | undefined>();

  constructor(options: VtnCoreOptions) {
    this.store = options.store;
    this.config = options.config;
    this.clock = options.clock;
    this.log = options.log;
    this.onWork = options.onWork ?? (() => undefined);
    this.lastSeen = new LastSeen(options.store, options.log);
    this.vtnReports = new VtnReportPublisher(this);
  }

  /** The pusher says when a distribute to a VEN goes out (`true`) and once it is recorded (`false`). */
  pushing(venID: string, requestID: string, inFlight: boolean): void {
    const ids = this.#pushing.get(venID) ?? new Set<string>();
    if (inFlight) ids.add(requestID);
    else ids.delete(requestID);
    if (ids.size === 0) this.#pushing.delete(venID);
    else this.#pushing.set(venID, ids);
  }

  isPushing(venID: string, requestID: string): boolean {
    return this.#pushing.get(venID)?.has(requestID) ?? false;
  }

  /** Calls `listener` with the reports of each oadrUpdateReport once stored; returns the unsubscribe. */
  onReports(listener: (venID: string, reports: readonly OadrReport[]) => void): () => void {
    this.#reportListeners.add(listener);
    return () => this.#reportListeners.delete(listener);
  }

  /**
   * Adds a check every report a VEN uploads must pass before it is stored: a problem (one line) makes
   * the VTN answer 454 and drop that report. Returns the removal.
   */
  checkReports(check: (venID: string, report: OadrReport) => string | undefined): () => void {
    this.#reportChecks.add(check);
    return () => this.#reportChecks.delete(check);
  }

  /** The first problem a check finds with an uploaded report. */
  reportProblem(venID: string, report: OadrReport): string | undefined {
    for (const check of this.#reportChecks) {
      const problem = check(venID, report);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  /** The services tell this after storing reports; a listener that throws does not disturb the VEN's answer. */
  reportsStored(venID: string, reports: readonly OadrReport[]): void {
    for (const listener of this.#reportListeners) {
      try {
        listener(venID, reports);
      } catch (error) {
        this.log.error({ err: error, venID }, 'a report listener failed');
      }
    }
  }

  // ---- events ----

  private specOf(input: EventInput): EventSpec {
    return {
      priority: input.priority,
      testEvent: input.testEvent === undefined ? undefined : String(input.testEvent),
      vtnComment: input.vtnComment,
      responseRequired: input.responseRequired ?? 'always',
      activePeriod: input.activePeriod,
      signals: input.signals,
      baseline: input.baseline,
      target: input.target ?? {},
    };
  }

  /** Checks an event the way a VEN will: it must encode as a valid 2.0b event and keep rule 8. */
  private checkEvent(event: EventRecord): void {
    try {
      const sample = toOadrEvent(event, { venID: 'check' }, this.clock());
      checkPayload({ type: 'oadrDistributeEvent', body: { requestID: 'check', vtnID: this.config.vtnID, oadrEvent: [sample] } });
    } catch (error) {
      if (error instanceof OadrInvalidArgumentError) {
        throw new VtnError(VtnErrorCode.BAD_REQUEST, `the event is not a valid 2.0b event: ${error.message}`, {
          details: [error.element ?? 'event'],
          cause: error,
        });
      }
      throw error;
    }
    const total = durationToMs(event.spec.activePeriod.duration);
    for (const signal of event.spec.signals) {
      const sum = signal.intervals.reduce((acc, i) => acc + (i.duration === undefined ? 0 : durationToMs(i.duration)), 0);
      if (total !== 0 && sum !== total) {
        throw new VtnError(VtnErrorCode.BAD_REQUEST, `signal ${signal.signalID}: interval durations add up to ${sum} ms, the active period lasts ${total} ms (rule 8)`, {
          details: [`/signals/${signal.signalID}/intervals`],
        });
      }
    }
    const ids = new Set(event.spec.signals.map((s) => s.signalID));
    if (ids.size !== event.spec.signals.length) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'signalID must be unique within an event', { details: ['/signals'] });
    if (event.spec.signals.filter((s) => s.signalName.toUpperCase() === 'SIMPLE').length > 1) {
      throw new VtnError(VtnErrorCode.BAD_REQUEST, 'at most one SIMPLE signal per event (rule 7)', { details: ['/signals'] });
    }
  }

  private async marketContextOf(tx: VtnRepository, input: EventInput): Promise<string> {
    if (input.programID !== undefined) {
      const program = await tx.getProgram(input.programID);
      if (program === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no program ${input.programID}`);
      return program.marketContext;
    }
    if (input.marketContext === undefined) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'an event needs a programID or a marketContext', { details: ['/programID'] });
    return input.marketContext;
  }

  private async targetedVens(tx: VtnRepository, target: EiTarget): Promise<string[]> {
    const eligible = (v: VenRecord | undefined): v is VenRecord => v !== undefined && v.registrationID !== undefined && v.approved && targetsVen(target, v);
    const byVenIDOnly = target.venID !== undefined && Object.entries(target).every(([key, value]) => key === 'venID' || value === undefined);
    // An event for named VENs (one per VEN in a negotiation) need not read every VEN of the VTN.
    if (byVenIDOnly) return (await Promise.all([...new Set(target.venID)].map((id) => tx.getVen(id)))).filter(eligible).map((v) => v.venID);
    return (await tx.listVens()).filter(eligible).map((v) => v.venID);
  }

  /** Refuses an event overlapping another live one of the same market context for a common VEN (rule 18). */
  private async checkOverlap(tx: VtnRepository, event: EventRecord, venIDs: readonly string[]): Promise<void> {
    const mine = eventTimes(event.spec);
    const targeted = new Set(venIDs);
    for (const other of await tx.listLiveEvents(this.clock())) {
      if (other.eventID === event.eventID || other.cancelledAt !== undefined || other.marketContext !== event.marketContext) continue;
      const theirs = eventTimes(other.spec);
      if (theirs.start >= mine.end || mine.start >= theirs.end) continue;
      const shared = (await tx.listDeliveriesForEvent(other.eventID)).find((d) => targeted.has(d.venID));
      if (shared !== undefined) {
        throw new VtnError(VtnErrorCode.CONFLICT, `event overlaps event ${other.eventID} of the same market context for VEN ${shared.venID} (rule 18)`);
      }
    }
  }

  async createEvent(input: EventInput): Promise<EventRecord> {
    const now = this.clock();
    const { event, venIDs } = await this.store.transaction((tx) => this.createIn(tx, input, now));
    this.onWork(venIDs);
    return event;
  }

  /**
   * Creates and modifies several events in one transaction (one commit): all of them or none. A
   * negotiation round changes one event per VEN; committing them together saves a disk sync each.
   */
  async changeEvents(changes: readonly EventChange[]): Promise<EventRecord[]> {
    const now = this.clock();
    const results = await this.store.transaction(async (tx) => {
      const done: { event: EventRecord; venIDs: string[] }[] = [];
      for (const change of changes) {
        done.push(change.kind === 'create' ? await this.createIn(tx, change.input, now) : await this.modifyIn(tx, change.eventID, change.input, now, change.expectedModification));
      }
      return done;
    });
    this.onWork([...new Set(results.flatMap((r) => r.venIDs))]);
    return results.map((r) => r.event);
  }

  private async createIn(tx: VtnRepository, input: EventInput, now: number): Promise<{ event: EventRecord; venIDs: string[] }> {
    const eventID = input.eventID ?? newId();
    if ((await tx.getEvent(eventID)) !== undefined) throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} exists already`);
    const spec = this.specOf(input);
    const event: EventRecord = {
      eventID,
      programID: input.programID,
      marketContext: await this.marketContextOf(tx, input),
      modificationNumber: 0,
      modificationReason: undefined,
      createdAt: now,
      modifiedAt: now,
      cancelledAt: undefined,
      visibleUntil: visibleUntil(spec, undefined, this.config.events.cancelRetentionMs),
      spec,
    };
    this.checkEvent(event);
    if (event.visibleUntil <= now) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'the event is over already', { details: ['/activePeriod'] });
    const venIDs = await this.targetedVens(tx, spec.target);
    await this.checkOverlap(tx, event, venIDs);
    await tx.insertEvent(event);
    await tx.setDeliveryTargets(eventID, venIDs, 0);
    return { event, venIDs };
  }

  /**
   * Replaces what an operator said about an event: the modificationNumber goes up by one (rule 5).
   * `expectedModification`, when given, must be the current one (optimistic concurrency for operators).
   */
  async modifyEvent(eventID: string, input: EventInput, expectedModification?: number): Promise<EventRecord> {
    const now = this.clock();
    const { event, venIDs } = await this.store.transaction((tx) => this.modifyIn(tx, eventID, input, now, expectedModification));
    this.onWork(venIDs);
    return event;
  }

  private async modifyIn(tx: VtnRepository, eventID: string, input: EventInput, now: number, expectedModification: number | undefined): Promise<{ event: EventRecord; venIDs: string[] }> {
    const current = await this.liveEvent(tx, eventID, now);
    if (expectedModification !== undefined && expectedModification !== current.modificationNumber) {
      throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} is at modification ${current.modificationNumber}, not ${expectedModification}`);
    }
    const spec = this.specOf(input);
    const event: EventRecord = {
      ...current,
      programID: input.programID ?? current.programID,
      marketContext: input.programID === undefined && input.marketContext === undefined ? current.marketContext : await this.marketContextOf(tx, input),
      modificationNumber: current.modificationNumber + 1,
      modificationReason: input.modificationReason,
      modifiedAt: now,
      visibleUntil: visibleUntil(spec, undefined, this.config.events.cancelRetentionMs),
      spec,
    };
    this.checkEvent(event);
    const venIDs = await this.targetedVens(tx, spec.target);
    // Rule 18 was checked when the period and target took their current values (and every later
    // event was checked against them); re-checking unchanged ones only costs (negotiation rounds).
    const sameReach =
      event.marketContext === current.marketContext &&
      JSON.stringify(spec.activePeriod) === JSON.stringify(current.spec.activePeriod) &&
      JSON.stringify(spec.target) === JSON.stringify(current.spec.target);
    if (!sameReach) await this.checkOverlap(tx, event, venIDs);
    if (!(await tx.updateEvent(event, current.modificationNumber))) throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} changed meanwhile`);
    const still = new Set(venIDs);
    const dropped = (await tx.listDeliveriesForEvent(eventID)).map((d) => d.venID).filter((v) => !still.has(v));
    await tx.untargetDeliveries(eventID, dropped, event.modificationNumber);
    await tx.setDeliveryTargets(eventID, venIDs, event.modificationNumber);
    return { event, venIDs: [...venIDs, ...dropped] };
  }

  /** Cancels an event: a new modification with status cancelled, sent to every VEN that had it. */
  async cancelEvent(eventID: string, reason?: string): Promise<EventRecord> {
    const now = this.clock();
    const { event, venIDs } = await this.store.transaction(async (tx) => {
      const current = await this.liveEvent(tx, eventID, now);
      const event: EventRecord = {
        ...current,
        modificationNumber: current.modificationNumber + 1,
        modificationReason: reason ?? 'cancelled',
        modifiedAt: now,
        cancelledAt: now,
        visibleUntil: visibleUntil(current.spec, now, this.config.events.cancelRetentionMs),
      };
      if (!(await tx.updateEvent(event, current.modificationNumber))) throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} changed meanwhile`);
      const venIDs = (await tx.listDeliveriesForEvent(eventID)).map((d) => d.venID);
      await tx.setDeliveryTargets(eventID, venIDs, event.modificationNumber);
      return { event, venIDs };
    });
    this.onWork(venIDs);
    return event;
  }

  private async liveEvent(tx: VtnRepository, eventID: string, now: number): Promise<EventRecord> {
    const current = await tx.getEvent(eventID);
    if (current === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no event ${eventID}`);
    if (current.cancelledAt !== undefined) throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} is cancelled`);
    if (current.visibleUntil <= now || eventTimes(current.spec).end <= now) throw new VtnError(VtnErrorCode.CONFLICT, `event ${eventID} is completed`);
    return current;
  }

  /** Gives a VEN every live event that targets it (after registration or a change of its attributes). */
  async refreshVenTargets(tx: VtnRepository, ven: VenRecord): Promise<void> {
    if (ven.registrationID === undefined || !ven.approved) return;
    for (const event of await tx.listLiveEvents(this.clock())) {
      if (event.cancelledAt !== undefined) continue;
      const delivery = await tx.getDelivery(event.eventID, ven.venID);
      if (targetsVen(event.spec.target, ven)) {
        if (delivery === undefined || delivery.targetMod !== event.modificationNumber) await tx.setDeliveryTargets(event.eventID, [ven.venID], event.modificationNumber);
      } else if (delivery !== undefined && !delivery.excluded) {
        await tx.untargetDeliveries(event.eventID, [ven.venID], event.modificationNumber);
      }
    }
  }

  // ---- what a VEN receives next ----

  /**
   * An oadrDistributeEvent with every live event of the VEN, in rule-15 order. For a poll or a push
   * (`sync` false) committing it claims the due modifications and fails when another process claimed
   * them first; an oadrRequestEvent (`sync` true) is answered in full whatever was delivered before.
   */
  async distributeFor(tx: VtnRepository, ven: VenRecord, now: number, sync: boolean, replyLimit?: number): Promise<Outgoing> {
    const rows = await tx.listVenEvents(ven.venID, now);
    const due = rows.filter((r) => r.delivery.deliveredMod < r.delivery.targetMod);
    const dueIDs = new Set(due.map((r) => r.event.eventID));
    const ordered = orderEvents(
      rows.filter((r) => !r.delivery.excluded).map((r) => r.event),
      now,
    );
    const chosen = replyLimit !== undefined && replyLimit > 0 ? ordered.slice(0, replyLimit) : ordered;
    const requestID = newId();
    const oadrEvent: OadrEvent[] = chosen.map((event) => toOadrEvent(event, ven, now));
    return {
      message: {
        type: 'oadrDistributeEvent',
        body: { eiResponse: { responseCode: '200', responseDescription: 'OK', requestID: '' }, requestID, vtnID: this.config.vtnID, oadrEvent },
      },
      commit: async (commitTx, at) => {
        let claimed = 0;
        for (const event of chosen) {
          const claim = !sync && dueIDs.has(event.eventID);
          if ((await commitTx.markDelivered(event.eventID, ven.venID, event.modificationNumber, requestID, at, claim)) && claim) claimed++;
        }
        // Leaving an excluded event out is its delivery.
        for (const { delivery } of due.filter((r) => r.delivery.excluded)) {
          if (await commitTx.markDelivered(delivery.eventID, ven.venID, delivery.targetMod, requestID, at, !sync)) claimed++;
        }
        // Nothing left to claim means another process delivered it between the look and the take.
        return sync || claimed > 0;
      },
    };
  }

  private outboxOutgoing(ven: VenRecord, message: OutboxMessage): Outgoing {
    return {
      message: { type: message.kind, body: message.body } as OadrMessage,
      commit: async (tx, at) => {
        if (!(await tx.markSent(message.id, at))) return false;
        // Delivering the cancellation ends the registration: the VEN may not answer it.
        if (message.kind === 'oadrCancelPartyRegistration') {
          const current = await tx.getVen(ven.venID);
          if (current !== undefined) await tx.saveVen({ ...current, registrationID: undefined });
          await tx.dropQueued(ven.venID);
        }
        // The reregistration request needs no reply; nothing would ever acknowledge it.
        if (message.kind === 'oadrRequestReregistration') await tx.markAcked(message.id);
        return true;
      },
    };
  }

  /** The next message for a VEN in poll order, or undefined when nothing is due. */
  async nextFor(tx: VtnRepository, ven: VenRecord, now: number): Promise<Outgoing | undefined> {
    const queued = await tx.listQueued(ven.venID);
    const due = await tx.hasPendingDelivery(ven.venID, now);
    const answer = choosePollAnswer(queued, due);
    switch (answer.kind) {
      case 'none':
        return undefined;
      case 'events':
        return this.distributeFor(tx, ven, now, false);
      case 'outbox':
        return this.outboxOutgoing(ven, answer.message);
    }
  }

  // ---- VTN-originated requests ----

  /** The VTN's own METADATA report: the reports of `config.reports` (an empty list is allowed, N1_0020). */
  vtnRegisterReport(venID: string, reportRequestID?: string): MessageBody<'oadrRegisterReport'> {
    const oadrReport = offeredMetadata(this.config.reports, this.clock());
    return { requestID: newId(), ...(oadrReport.length === 0 ? {} : { oadrReport }), venID, ...(reportRequestID === undefined ? {} : { reportRequestID }) };
  }

  /**
   * Stores readings of a report the VTN offers and forgets those beyond its history. Refuses an
   * unknown report (404), and an unknown rID or a bad time (400) with the reading named.
   */
  async storeVtnReadings(reportSpecifierID: string, input: ReadonlyArray<{ rID: string; at: string; value: number }>): Promise<number> {
    const report = this.config.reports.find((r) => r.reportSpecifierID === reportSpecifierID);
    if (report === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `the VTN offers no report ${reportSpecifierID}`);
    const readings = input.map((reading, i) => {
      if (!report.points.some((p) => p.rID === reading.rID)) {
        throw new VtnError(VtnErrorCode.BAD_REQUEST, `report ${reportSpecifierID} has no rID ${reading.rID}`, { details: [`body/readings/${i}/rID`] });
      }
      let at: number;
      try {
        at = parseDateTime(reading.at);
      } catch (error) {
        throw new VtnError(VtnErrorCode.BAD_REQUEST, `${reading.at} is not a date-time`, { details: [`body/readings/${i}/at`], cause: error });
      }
      return { rID: reading.rID, at, value: reading.value };
    });
    await this.store.transaction(async (tx) => {
      await tx.upsertVtnReadings(reportSpecifierID, readings);
      await tx.pruneVtnReadings(reportSpecifierID, this.clock() - durationToMs(report.history));
    });
    return readings.length;
  }

  async enqueueFor(venID: string, build: (tx: VtnRepository, ven: VenRecord) => Promise<void>): Promise<void> {
    await this.store.transaction(async (tx) => {
      const ven = await tx.getVen(venID);
      if (ven === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no VEN ${venID}`);
      if (ven.registrationID === undefined) throw new VtnError(VtnErrorCode.CONFLICT, `VEN ${venID} is not registered`);
      await build(tx, ven);
    });
    this.onWork([venID]);
  }

  requestReregistration(venID: string): Promise<void> {
    return this.enqueueFor(venID, async (tx) => {
      await tx.enqueue({ venID, kind: 'oadrRequestReregistration', requestID: '', body: { venID } }, this.clock());
    });
  }

  cancelRegistration(venID: string): Promise<void> {
    return this.enqueueFor(venID, async (tx, ven) => {
      const requestID = newId();
      await tx.enqueue(
        { venID, kind: 'oadrCancelPartyRegistration', requestID, body: { requestID, registrationID: ven.registrationID ?? '', venID } },
        this.clock(),
      );
    });
  }

  /** Asks a VEN for a report it registered (or for its METADATA with reportSpecifierID "METADATA"). */
  async requestReport(venID: string, input: ReportRequestInput): Promise<string> {
    const reportRequestID = newId();
    await this.enqueueReportRequests(venID, [{ input, reportRequestID }], (error) => error);
    return reportRequestID;
  }

  /**
   * Asks a VEN for several reports in one oadrCreateReport (2.0b allows 1..n requests; TH R*_8180),
   * answering their reportRequestIDs in order. One entry the VEN could not be asked for refuses them
   * all, its fields named under `/requests/<index>`, so an operator never has half a batch out.
   */
  async requestReports(venID: string, inputs: readonly ReportRequestInput[]): Promise<string[]> {
    const wanted = inputs.map((input) => ({ input, reportRequestID: newId() }));
    await this.enqueueReportRequests(venID, wanted, (error, index) => {
      const fields = error.details.length === 0 ? [''] : error.details;
      return new VtnError(error.code, `requests/${index}: ${error.message}`, {
        details: fields.map((field) => `/requests/${index}${field === '' || field.startsWith('/') ? field : `/${field}`}`),
        cause: error,
      });
    });
    return wanted.map((w) => w.reportRequestID);
  }

  private async enqueueReportRequests(
    venID: string,
    wanted: ReadonlyArray<{ input: ReportRequestInput; reportRequestID: string }>,
    refuse: (error: VtnError, index: number) => VtnError,
  ): Promise<void> {
    await this.enqueueFor(venID, async (tx) => {
      const registrations = await tx.listReportRegistrations(venID);
      const requests = wanted.map(({ input, reportRequestID }, index) => {
        try {
          if (input.reportSpecifierID === 'METADATA') return checkedRequest(input, input.rIDs ?? ['METADATA'], reportRequestID, venID);
          const registration = registrations.find((r) => r.reportSpecifierID === input.reportSpecifierID);
          if (registration === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `VEN ${venID} registered no report ${input.reportSpecifierID}`, { details: ['/reportSpecifierID'] });
          return requestForRegistered(registration.report, input, reportRequestID, venID);
        } catch (error) {
          throw error instanceof VtnError ? refuse(error, index) : error;
        }
      });
      const now = this.clock();
      await savePending(tx, venID, requests, { createdAt: now });
      const requestID = newId();
      await tx.enqueue({ venID, kind: 'oadrCreateReport', requestID, body: { requestID, oadrReportRequest: requests, venID } }, now);
    });
  }

  /**
   * The requests `config.requestOnRegistration` makes of a VEN registering `reports`, in the
   * registration's transaction. Those made on its previous registration are cancelled, so a VEN
   * registering again gets fresh requests and never a pile of them (one still delivering learns of
   * it on its next oadrUpdatedReport). A report the VEN could not serve as configured (a granularity
   * below its oadrMinPeriod) is left out and logged: the VEN did nothing wrong.
   */
  async requestOnRegistration(tx: VtnRepository, venID: string, reports: readonly OadrReport[], requestID: string, now: number): Promise<OadrReportRequest[]> {
    for (const earlier of await tx.listReportRequests(venID)) {
      if (earlier.onRegistration === true && (earlier.status === 'pending' || earlier.status === 'active')) await tx.setReportRequestStatus(earlier.reportRequestID, 'cancelled');
    }
    const requests: OadrReportRequest[] = [];
    for (const report of reports) {
      const wanted = this.config.requestOnRegistration.find((w) => w.reportName === report.reportName?.replace(/^METADATA_/, ''));
      if (wanted === undefined) continue;
      // Without a reportInterval a request is one-shot; telemetry wanted all along runs until cancelled.
      const interval = durationToMs(wanted.reportBackDuration) === 0 ? {} : { reportInterval: { dtstart: formatDateTime(now), duration: 'PT0S' } };
      const input: ReportRequestInput = { reportSpecifierID: report.reportSpecifierID, granularity: wanted.granularity, reportBackDuration: wanted.reportBackDuration, ...interval };
      try {
        requests.push(requestForRegistered(report, input, newId(), venID));
      } catch (error) {
        if (!(error instanceof VtnError)) throw error;
        this.log.warn({ venID, reportSpecifierID: report.reportSpecifierID, reason: error.message }, 'a report configured in requestOnRegistration is not requested');
      }
    }
    if (requests.length === 0) return requests;
    await savePending(tx, venID, requests, { createdAt: now, onRegistration: true });
    // The requests ride on the answer: recorded as an oadrCreateReport sent under the VEN's requestID,
    // which the oadrCreatedReport answering them echoes, they are acknowledged like an operator's.
    await tx.markSent(await tx.enqueue({ venID, kind: 'oadrCreateReport', requestID, body: { requestID, oadrReportRequest: requests, venID } }, now), now);
    return requests;
  }

  async cancelReport(reportRequestID: string, reportToFollow = false): Promise<void> {
    const request = await this.store.getReportRequest(reportRequestID);
    if (request === undefined || request.direction !== 'toVen') throw new VtnError(VtnErrorCode.NOT_FOUND, `no report request ${reportRequestID}`);
    if (request.status === 'cancelled') throw new VtnError(VtnErrorCode.CONFLICT, `report request ${reportRequestID} is cancelled already`);
    await this.enqueueFor(request.venID, async (tx) => {
      const requestID = newId();
      await tx.setReportRequestStatus(reportRequestID, 'cancelled');
      await tx.enqueue(
        { venID: request.venID, kind: 'oadrCancelReport', requestID, body: { requestID, reportRequestID: [reportRequestID], reportToFollow, venID: request.venID } },
        this.clock(),
      );
    });
  }
}

/** Stores requests sent to a VEN as pending until its oadrCreatedReport makes them active. */
async function savePending(tx: VtnRepository, venID: string, requests: readonly OadrReportRequest[], extra: { createdAt: number; onRegistration?: true }): Promise<void> {
  for (const request of requests) {
    await tx.saveReportRequest({ reportRequestID: request.reportRequestID, venID, direction: 'toVen', reportSpecifierID: request.reportSpecifier.reportSpecifierID, request, status: 'pending', ...extra });
  }
}

/**
 * A request for a report the VEN registered, refused (400) where the VEN would refuse it: an rID it
 * never registered, a granularity below a point's oadrMinPeriod, no data point at all.
 */
function requestForRegistered(registration: OadrReport, input: ReportRequestInput, reportRequestID: string, venID: string): OadrReportRequest {
  const known = (registration.oadrReportDescription ?? []).map((d) => d.rID);
  const rIDs = input.rIDs ?? known;
  const unknown = rIDs.filter((r) => !known.includes(r));
  if (unknown.length > 0) throw new VtnError(VtnErrorCode.BAD_REQUEST, `unknown rID ${unknown.join(', ')}`, { details: ['/rIDs'] });
  // The VEN declared how fast each point can be sampled; asking faster is a request it may refuse (TH R*_8xxx).
  const granularityMs = fixedDurationMs(input.granularity, '/granularity');
  for (const description of registration.oadrReportDescription ?? []) {
    const min = description.oadrSamplingRate?.oadrMinPeriod;
    if (!rIDs.includes(description.rID) || min === undefined || granularityMs === 0) continue;
    if (granularityMs < fixedDurationMs(min, `/oadrSamplingRate/${description.rID}`)) {
      throw new VtnError(VtnErrorCode.BAD_REQUEST, `granularity ${input.granularity} is shorter than the VEN's minimum sampling period ${min} for rID ${description.rID}`, {
        details: ['/granularity'],
      });
    }
  }
  if (rIDs.length === 0) throw new VtnError(VtnErrorCode.BAD_REQUEST, 'the report has no data points to request', { details: ['/rIDs'] });
  return checkedRequest(input, rIDs, reportRequestID, venID);
}

/** The request as the VEN will read it, refused (400) when it would not encode as a valid 2.0b oadrCreateReport. */
function checkedRequest(input: ReportRequestInput, rIDs: readonly string[], reportRequestID: string, venID: string): OadrReportRequest {
  const request: OadrReportRequest = {
    reportRequestID,
    reportSpecifier: {
      reportSpecifierID: input.reportSpecifierID,
      granularity: input.granularity,
      reportBackDuration: input.reportBackDuration,
      ...(input.reportInterval === undefined ? {} : { reportInterval: input.reportInterval }),
      specifierPayload: rIDs.map((rID) => ({ rID, readingType: 'x-notApplicable' })),
    },
  };
  encodeCheck({ type: 'oadrCreateReport', body: { requestID: 'check', oadrReportRequest: [request], venID } });
  return request;
}

/** A duration of fixed length in ms; months and years have none, so a request cannot use them. */
function fixedDurationMs(duration: string, field: string): number {
  try {
    return durationToMs(duration);
  } catch (error) {
    throw new VtnError(VtnErrorCode.BAD_REQUEST, `${duration} is not a duration of fixed length`, { details: [field], cause: error });
  }
}

function encodeCheck(message: OadrMessage): void {
  try {
    encodePayload(message);
  } catch (error) {
    if (error instanceof OadrInvalidArgumentError) {
      throw new VtnError(VtnErrorCode.BAD_REQUEST, error.message, { details: [error.element ?? message.type], cause: error });
    }
    throw error;
  }
}
