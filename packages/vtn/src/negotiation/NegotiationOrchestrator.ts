import { AdmmEngine, negotiationNetwork, type IterationReport, type NegotiationNetwork } from '@oadr-kit/aggregator';
import {
  formatDuration,
  negotiationEvent,
  NEGOTIATION_REPORT_NAME,
  OadrInvalidArgumentError,
  readProjectionReport,
  type OadrReport,
  type ProjectedProfile,
} from '@oadr-kit/protocol';
import type { EventRecord, NegotiationRecord, NegotiationRoundRecord } from '../store/VtnStore.js';
import { newId, type EventChange, type EventInput, type VtnCore } from '../VtnCore.js';
import { VtnError, VtnErrorCode } from '../VtnError.js';
import { gridModelOf, readNegotiationInput, type NegotiationInput, type NegotiationSpec } from './negotiationInput.js';

/** The rID of the projected profile in the VEN's x-PROJECTED_USAGE report. */
export const PROJECTION_RID = 'projection';

/** A VEN's part in a session, as stored with it. */
export interface NegotiationMember {
  venID: string;
  eventID: string;
  reportRequestID: string | undefined;
  /** active: answering; left: silent too long, its last profile stands; excluded: could not take part. */
  status: 'active' | 'left' | 'excluded';
  reason: string | undefined;
  answered: number;
  missed: number;
  missedInARow: number;
}

/** What one round stored: its residuals, the net's prices and the profiles that arrived in time. */
export interface NegotiationRoundData {
  round: number;
  primal: number;
  dual: number;
  relativePrimal: number;
  relativeDual: number;
  rho: number;
  /** The members' net price per slot, currency/kWh. */
  prices: number[];
  /** VENs whose projection did not arrive by the deadline (they kept their last profile). */
  silent: string[];
  /** Profiles received this round, kW per slot. */
  profiles: Record<string, number[]>;
}

/** The agreed schedule and its figures. */
export interface NegotiationOutcome {
  rounds: number;
  seconds: number;
  primal: number;
  dual: number;
  relativePrimal: number;
  relativeDual: number;
  /** Price of the members' net per slot, and of the grid side behind the transformer when there is one. */
  prices: number[];
  upstreamPrices: number[] | undefined;
  /** Import from the grid per slot, kW (negative: export). */
  gridImportKw: number[];
  /** Cost of the VTN's own devices (grid connection), currency; the VENs' costs are private. */
  gridCost: number;
  /** The agreed profile of each VEN, kW per slot (the target of its agreed event). */
  profiles: Record<string, number[]>;
}

/** What a round listener hears. */
export interface RoundProgress {
  sessionID: string;
  round: number;
  relativePrimal: number;
  relativeDual: number;
  tolerance: number;
  answered: number;
  silent: number;
}

interface Running {
  spec: NegotiationSpec;
  record: NegotiationRecord;
  members: Map<string, NegotiationMember>;
  /** Round being collected, and the answers so far. */
  round: number;
  answers: Map<string, Float64Array>;
  wake: (() => void) | undefined;
  stop: { status: 'cancelled' | 'interrupted'; reason: string } | undefined;
  done: Promise<NegotiationRecord>;
}

/**
 * The negotiation orchestrator of the VTN (DESIGN.md, "The negotiation over OpenADR"): one session
 * runs the ADMM engine with one RemoteTerminal per VEN; each round modifies each VEN's event with its
 * price and target, waits for the projections (oadrUpdateReport) until all are in or the deadline
 * passes, steps the engine, and stores the round. On agreement each event's last modification is the
 * agreed dispatch schedule. Sessions and rounds live in the VTN's store; a VTN that restarts marks a
 * session it was running as interrupted (the engine's state is not persisted).
 */
export class NegotiationOrchestrator {
  readonly #core: VtnCore;
  readonly #running = new Map<string, Running>();
  readonly #byEvent = new Map<string, { session: Running; venID: string }>();
  readonly #roundListeners = new Set<(progress: RoundProgress) => void>();
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(core: VtnCore) {
    this.#core = core;
    const stopListening = core.onReports((venID, reports) => this.#onReports(venID, reports));
    const stopChecking = core.checkReports((venID, report) => this.#projectionProblemOf(venID, report));
    this.#unsubscribe = () => {
      stopListening();
      stopChecking();
    };
  }

  /**
   * Marks sessions a previous process was running as interrupted (their engine state is gone) and
   * cancels their events: a round that was never agreed must not stand as a schedule.
   */
  async recover(): Promise<void> {
    for (const record of await this.#core.store.listNegotiations()) {
      if (record.status !== 'running' || this.#running.has(record.sessionID)) continue;
      const reason = 'the VTN restarted during the negotiation';
      await this.#cancelEvents(record.members as NegotiationMember[], reason);
      await this.#core.store.saveNegotiation({ ...record, status: 'interrupted', reason, updatedAt: this.#core.clock() });
      this.#core.log.warn({ sessionID: record.sessionID }, `negotiation interrupted: ${reason}`);
    }
  }

  /** Calls `listener` after every round of every session; returns the unsubscribe. */
  onRound(listener: (progress: RoundProgress) => void): () => void {
    this.#roundListeners.add(listener);
    return () => this.#roundListeners.delete(listener);
  }

  /**
   * Starts a session in the background and returns its record once stored. VENs that are unknown,
   * unregistered or did not register the x-PROJECTED_USAGE report are excluded (with the reason);
   * a session with no VEN left is refused.
   */
  async start(input: NegotiationInput): Promise<NegotiationRecord> {
    if (this.#closed) throw new VtnError(VtnErrorCode.CONFLICT, 'the VTN is shutting down');
    const spec = readNegotiationInput(input, newId);
    if ((await this.#core.store.getNegotiation(spec.sessionID)) !== undefined) throw new VtnError(VtnErrorCode.CONFLICT, `negotiation ${spec.sessionID} exists already`);
    const marketContext = spec.marketContext ?? (await this.#programContext(spec));
    const members = new Map<string, NegotiationMember>();
    for (const venID of spec.venIDs) members.set(venID, await this.#memberOf(spec, venID));
    const active = [...members.values()].filter((m) => m.status === 'active');
    if (active.length === 0) {
      const reasons = [...members.values()].map((m) => `${m.venID}: ${m.reason ?? ''}`).join('; ');
      throw new VtnError(VtnErrorCode.CONFLICT, `no VEN can take part in negotiation ${spec.sessionID} (${reasons})`);
    }
    const slot = formatDuration(spec.slotMinutes * 60_000);
    for (const member of active) {
      member.reportRequestID = await this.#core.requestReport(member.venID, {
        reportSpecifierID: NEGOTIATION_REPORT_NAME,
        granularity: slot,
        reportBackDuration: slot,
        rIDs: [PROJECTION_RID],
      });
    }
    const now = this.#core.clock();
    const record: NegotiationRecord = {
      sessionID: spec.sessionID,
      spec,
      status: 'running',
      reason: undefined,
      createdAt: now,
      updatedAt: now,
      rounds: 0,
      members: [...members.values()],
      outcome: undefined,
    };
    await this.#core.store.saveNegotiation(record);
    const running: Running = { spec, record, members, round: -1, answers: new Map(), wake: undefined, stop: undefined, done: Promise.resolve(record) };
    for (const member of active) this.#byEvent.set(member.eventID, { session: running, venID: member.venID });
    this.#running.set(spec.sessionID, running);
    running.done = this.#run(running, marketContext).finally(() => {
      this.#running.delete(spec.sessionID);
      for (const member of members.values()) this.#byEvent.delete(member.eventID);
    });
    this.#core.log.info({ sessionID: spec.sessionID, vens: active.length, excluded: members.size - active.length }, 'negotiation started');
    return record;
  }

  async #memberOf(spec: NegotiationSpec, venID: string): Promise<NegotiationMember> {
    const member: NegotiationMember = { venID, eventID: `${spec.sessionID}.${venID}`, reportRequestID: undefined, status: 'active', reason: undefined, answered: 0, missed: 0, missedInARow: 0 };
    const ven = await this.#core.store.getVen(venID);
    let reason: string | undefined;
    if (ven === undefined) reason = 'unknown VEN';
    else if (ven.registrationID === undefined) reason = 'not registered';
    else if (!ven.approved) reason = 'not approved';
    else if (!(await this.#core.store.listReportRegistrations(venID)).some((r) => r.reportSpecifierID === NEGOTIATION_REPORT_NAME)) {
      reason = `did not register the ${NEGOTIATION_REPORT_NAME} report (cannot negotiate)`;
    }
    return reason === undefined ? member : { ...member, status: 'excluded', reason };
  }

  /** Resolves with the final record once the session has ended (at once for an ended one). */
  async finished(sessionID: string): Promise<NegotiationRecord> {
    const running = this.#running.get(sessionID);
    if (running !== undefined) return running.done;
    const record = await this.#core.store.getNegotiation(sessionID);
    if (record === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no negotiation ${sessionID}`);
    return record;
  }

  /** Stops a running session: its events are cancelled, nothing is agreed. */
  async cancel(sessionID: string, reason = 'cancelled by the operator'): Promise<NegotiationRecord> {
    const running = this.#running.get(sessionID);
    if (running === undefined) {
      const record = await this.#core.store.getNegotiation(sessionID);
      if (record === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no negotiation ${sessionID}`);
      throw new VtnError(VtnErrorCode.CONFLICT, `negotiation ${sessionID} is ${record.status}, not running`);
    }
    running.stop ??= { status: 'cancelled', reason };
    running.wake?.();
    return running.done;
  }

  /** Interrupts every running session (VTN shutdown) and stops listening. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#running.values()];
    for (const running of all) {
      running.stop ??= { status: 'interrupted', reason: 'the VTN shut down during the negotiation' };
      running.wake?.();
    }
    await Promise.allSettled(all.map((r) => r.done));
    this.#unsubscribe();
  }

  /** Why an uploaded projection cannot count (answered 454): malformed, or not shaped like its session. */
  #projectionProblemOf(venID: string, report: OadrReport): string | undefined {
    if (report.reportName !== NEGOTIATION_REPORT_NAME) return undefined;
    let projection: ProjectedProfile | undefined;
    try {
      projection = readProjectionReport(report);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    const target = projection === undefined ? undefined : this.#byEvent.get(projection.sessionId);
    if (projection === undefined || target === undefined || target.venID !== venID) return undefined;
    return this.#projectionProblem(target.session, projection);
  }

  /** Takes the projections that passed #projectionProblemOf as the answers of their round. */
  #onReports(venID: string, reports: readonly OadrReport[]): void {
    for (const report of reports) {
      const projection = report.reportName === NEGOTIATION_REPORT_NAME ? readProjectionReport(report) : undefined;
      const target = projection === undefined ? undefined : this.#byEvent.get(projection.sessionId);
      if (projection === undefined || target === undefined || target.venID !== venID) continue;
      const running = target.session;
      if (projection.iteration !== running.round) continue; // late for an earlier round: the VEN's newer answer follows
      running.answers.set(venID, Float64Array.from(projection.profileKw));
      if (this.#waitingFor(running).length === 0) running.wake?.();
    }
  }

  #projectionProblem(running: Running, projection: ProjectedProfile): string | undefined {
    const { spec } = running;
    if (projection.profileKw.length !== spec.slots) return `${projection.profileKw.length} slots, the session has ${spec.slots}`;
    if (projection.slotMs !== spec.slotMinutes * 60_000) return `slots of ${projection.slotMs} ms, the session's last ${spec.slotMinutes * 60_000} ms`;
    if (projection.startMs !== spec.startMs) return 'it starts at another time than the session';
    return undefined;
  }

  #waitingFor(running: Running): string[] {
    return [...running.members.values()].filter((m) => m.status === 'active' && !running.answers.has(m.venID)).map((m) => m.venID);
  }

  async #run(running: Running, marketContext: string): Promise<NegotiationRecord> {
    const { spec } = running;
    const started = process.hrtime.bigint();
    try {
      const horizon = { slots: spec.slots, slotHours: spec.slotMinutes / 60 };
      const taking = [...running.members.values()].filter((m) => m.status === 'active');
      const net = negotiationNetwork(horizon, gridModelOf(spec), taking.map((m) => ({ id: m.venID })));
      const engine = new AdmmEngine(net.network, spec.rho === undefined ? {} : { rho: spec.rho });
      let report: IterationReport | undefined;
      for (let round = 0; round < spec.maxRounds; round++) {
        running.round = round;
        running.answers = new Map();
        await this.#sendRound(running, engine, marketContext, round, false);
        await this.#collect(running);
        if (running.stop !== undefined) return await this.#end(running, running.stop.status, running.stop.reason);
        const silent = this.#tally(running);
        for (const [venID, profile] of running.answers) engine.submitProfile(venID, profile);
        report = engine.step();
        await this.#storeRound(running, engine, net, report, silent);
        if (engine.converged(report, spec.tolerance)) {
          await this.#sendRound(running, engine, marketContext, round + 1, true);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          return await this.#end(running, 'agreed', undefined, this.#outcome(running, engine, net, report, seconds));
        }
      }
      return await this.#end(running, 'failed', `not agreed within ${spec.maxRounds} rounds (relative residuals ${report?.relativePrimal.toExponential(2)} and ${report?.relativeDual.toExponential(2)}, tolerance ${spec.tolerance})`);
    } catch (error) {
      this.#core.log.error({ err: error, sessionID: spec.sessionID }, 'negotiation failed');
      return await this.#end(running, 'failed', error instanceof Error ? error.message : String(error));
    }
  }

  async #programContext(spec: NegotiationSpec): Promise<string> {
    const program = await this.#core.store.getProgram(spec.programID ?? '');
    if (program === undefined) throw new VtnError(VtnErrorCode.NOT_FOUND, `no program ${spec.programID ?? ''}`);
    return program.marketContext;
  }

  /** One event change per VEN still in (and per VEN that left, for the agreed schedule), in one commit. */
  async #sendRound(running: Running, engine: AdmmEngine, marketContext: string, round: number, agreed: boolean): Promise<void> {
    const { spec } = running;
    const now = this.#core.clock();
    const changes: EventChange[] = [];
    for (const member of running.members.values()) {
      if (member.status === 'excluded' || (member.status === 'left' && !agreed)) continue;
      const incentive = engine.incentive(member.venID);
      const event = negotiationEvent({
        sessionId: member.eventID,
        venID: member.venID,
        iteration: round,
        marketContext,
        startMs: spec.startMs,
        slotMs: spec.slotMinutes * 60_000,
        price: Array.from(incentive.price),
        // The agreed schedule is what the VEN itself projected last.
        targetKw: Array.from(agreed ? engine.profile(member.venID) : incentive.setpoint),
        rho: incentive.rho,
        currency: spec.currency,
        createdMs: now,
        agreed,
      });
      const input: EventInput = {
        eventID: member.eventID,
        ...(spec.programID === undefined ? { marketContext } : { programID: spec.programID }),
        modificationReason: event.eiEvent.eventDescriptor.modificationReason,
        responseRequired: 'always',
        activePeriod: event.eiEvent.eiActivePeriod.properties,
        signals: event.eiEvent.eiEventSignals.eiEventSignal,
        target: event.eiEvent.eiTarget,
      };
      changes.push(round === 0 ? { kind: 'create', input } : { kind: 'modify', eventID: member.eventID, input });
    }
    try {
      await this.#core.changeEvents(changes);
    } catch (error) {
      if (error instanceof OadrInvalidArgumentError) throw new VtnError(VtnErrorCode.BAD_REQUEST, error.message, { cause: error });
      throw error;
    }
  }

  /** Waits until every active VEN has answered this round, the deadline passes, or the session stops. */
  async #collect(running: Running): Promise<void> {
    if (this.#waitingFor(running).length === 0 || running.stop !== undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), running.spec.roundDeadlineMs);
      running.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    running.wake = undefined;
  }

  /** Counts answers and misses; a VEN silent maxMissedRounds rounds in a row has left. */
  #tally(running: Running): string[] {
    const silent: string[] = [];
    for (const member of running.members.values()) {
      if (member.status !== 'active') continue;
      if (running.answers.has(member.venID)) {
        member.answered++;
        member.missedInARow = 0;
        continue;
      }
      silent.push(member.venID);
      member.missed++;
      member.missedInARow++;
      if (member.missedInARow >= running.spec.maxMissedRounds) {
        member.status = 'left';
        member.reason = `silent for ${member.missedInARow} rounds from round ${running.round - member.missedInARow + 1}; its last profile stands`;
        this.#core.log.warn({ sessionID: running.spec.sessionID, venID: member.venID }, `VEN left the negotiation: ${member.reason}`);
      }
    }
    if (silent.length > 0) this.#core.log.info({ sessionID: running.spec.sessionID, round: running.round, silent }, 'VENs missed the round deadline');
    return silent;
  }

  async #storeRound(running: Running, engine: AdmmEngine, net: NegotiationNetwork, report: IterationReport, silent: string[]): Promise<void> {
    const data: NegotiationRoundData = {
      round: running.round,
      primal: report.primalResidual,
      dual: report.dualResidual,
      relativePrimal: report.relativePrimal,
      relativeDual: report.relativeDual,
      rho: report.rho,
      prices: Array.from(engine.prices(net.netId)),
      silent,
      profiles: Object.fromEntries([...running.answers].map(([venID, profile]) => [venID, Array.from(profile)])),
    };
    const at = this.#core.clock();
    const row: NegotiationRoundRecord = { sessionID: running.spec.sessionID, round: running.round, at, data };
    running.record = { ...running.record, rounds: running.round + 1, updatedAt: at, members: [...running.members.values()] };
    await this.#core.store.transaction(async (tx) => {
      await tx.insertNegotiationRound(row);
      await tx.saveNegotiation(running.record);
    });
    const progress: RoundProgress = {
      sessionID: running.spec.sessionID,
      round: running.round,
      relativePrimal: report.relativePrimal,
      relativeDual: report.relativeDual,
      tolerance: running.spec.tolerance,
      answered: running.answers.size,
      silent: silent.length,
    };
    for (const listener of this.#roundListeners) listener(progress);
  }

  #outcome(running: Running, engine: AdmmEngine, net: NegotiationNetwork, report: IterationReport, seconds: number): NegotiationOutcome {
    const grid = engine.profile(net.gridId);
    const gridDevice = net.network.device(net.gridId);
    return {
      rounds: running.round + 1,
      seconds,
      primal: report.primalResidual,
      dual: report.dualResidual,
      relativePrimal: report.relativePrimal,
      relativeDual: report.relativeDual,
      prices: Array.from(engine.prices(net.netId)),
      upstreamPrices: net.gridNetId === net.netId ? undefined : Array.from(engine.prices(net.gridNetId)),
      // The grid connection's terminal takes from the net what the community exports.
      gridImportKw: Array.from(grid, (p) => -p),
      gridCost: gridDevice.cost(grid),
      profiles: Object.fromEntries(
        [...running.members.values()].filter((m) => m.status !== 'excluded').map((m) => [m.venID, Array.from(engine.profile(m.venID))]),
      ),
    };
  }

  async #end(running: Running, status: NegotiationRecord['status'], reason: string | undefined, outcome?: NegotiationOutcome): Promise<NegotiationRecord> {
    if (status !== 'agreed') await this.#cancelEvents([...running.members.values()], reason ?? status);
    running.record = { ...running.record, status, reason, outcome, updatedAt: this.#core.clock(), members: [...running.members.values()] };
    await this.#core.store.saveNegotiation(running.record);
    this.#core.log.info({ sessionID: running.spec.sessionID, status, rounds: running.record.rounds, reason }, 'negotiation ended');
    return running.record;
  }

  /** Without an agreement no round may stand as a schedule: every event of the session is cancelled. */
  async #cancelEvents(members: readonly NegotiationMember[], reason: string): Promise<void> {
    for (const member of members) {
      const event: EventRecord | undefined = await this.#core.store.getEvent(member.eventID);
      if (event === undefined || event.cancelledAt !== undefined) continue;
      try {
        await this.#core.cancelEvent(member.eventID, `negotiation ended: ${reason}`.slice(0, 200));
      } catch (error) {
        this.#core.log.warn({ err: error, eventID: member.eventID }, 'could not cancel a negotiation event');
      }
    }
  }
}
