import {
  durationToMs,
  parseDateTime,
  readNegotiationEvent,
  ResponseCode,
  SIGNAL_NAMES,
  type EiEvent,
  type EiTarget,
  type EventResponse,
  type EventStatus,
  type ItemBase,
  type OadrCreatedEvent,
  type OadrDistributeEvent,
  type OptType,
} from '@oadr-kit/protocol';

/**
 * The event engine: which events the VEN holds, their status at a given instant, and what to answer
 * the VTN. Pure computation: no I/O and no timers; the instant and the random source are arguments,
 * so the same inputs always give the same outputs.
 */

/** An event as the VEN holds it: the VTN's event plus what the VEN decided and drew for it. */
export interface TrackedEvent {
  readonly event: EiEvent;
  readonly responseRequired: 'always' | 'never';
  readonly optType: OptType;
  /** The start delay drawn in [0, startafter] (rule 30); kept across modifications unless startafter changes. */
  readonly startOffsetMs: number;
  readonly startafterMs: number;
  /** When the VEN learnt it was cancelled (explicitly or by omission); execution ends then plus the offset (rule 65). */
  readonly cancelledAtMs?: number;
  readonly impliedCancel?: boolean;
}

/** Where an event's execution stands: before its start, running, or over (completed or cancelled). */
export type ExecutionPhase = 'pending' | 'active' | 'done';

/** One interval of a signal on the absolute time line. */
export interface VenSignalInterval {
  readonly startMs: number;
  /** Milliseconds; undefined for the last interval of an open-ended event. */
  readonly durationMs: number | undefined;
  readonly value: number;
}

export interface VenSignal {
  readonly signalName: string;
  readonly signalType: string;
  readonly signalID: string;
  readonly itemBase: ItemBase | undefined;
  readonly intervals: readonly VenSignalInterval[];
}

/**
 * An event as the application sees it: times resolved to epoch milliseconds with the VEN's start
 * randomization applied. A device-schedule translator consumes this shape.
 */
export interface VenEvent {
  readonly eventID: string;
  readonly modificationNumber: number;
  readonly marketContext: string;
  readonly priority: number | undefined;
  readonly testEvent: boolean;
  /** dtstart as the VTN sent it. */
  readonly scheduledStartMs: number;
  /** When this VEN executes it: dtstart plus the randomized delay. */
  readonly startMs: number;
  /** 0 means open-ended: active until cancelled (rule 47). */
  readonly durationMs: number;
  /** When execution ends, undefined while open-ended. */
  readonly endMs: number | undefined;
  readonly status: EventStatus;
  readonly optType: OptType;
  readonly signals: readonly VenSignal[];
  /** The event as received. */
  readonly raw: EiEvent;
}

/** What happened to one event of a distribute, and what the VEN answers for it. */
export type PlannedEventKind =
  | 'new'
  | 'modified'
  | 'unchanged'
  | 'cancelled'
  | 'cancelledUnknown'
  | 'stale'
  | 'refused';

export interface PlannedEvent {
  readonly eventID: string;
  readonly modificationNumber: number;
  readonly responseRequired: 'always' | 'never';
  readonly kind: PlannedEventKind;
  /** True when the application must decide opt in or out (new and modified events). */
  readonly needsDecision: boolean;
  readonly responseCode: ResponseCode;
  readonly responseDescription: string | undefined;
  /** The state the event takes if the plan is committed; undefined for events the VEN does not keep. */
  readonly candidate: TrackedEvent | undefined;
}

export interface DistributePlan {
  readonly requestID: string;
  /** Set when the distribute comes from a vtnID other than the registered one: nothing is applied. */
  readonly vtnMismatch: boolean;
  readonly items: readonly PlannedEvent[];
  /** Known events missing from the distribute: cancelled by omission (rule 61). */
  readonly impliedCancellations: readonly string[];
}

export interface PlanContext {
  readonly nowMs: number;
  /** The vtnID the VEN registered with. */
  readonly vtnID: string;
  /** Signal names the VEN executes; other names get 460 (signal not supported). */
  readonly supportedSignals: ReadonlySet<string>;
  /** Uniform in [0, 1): draws the start randomization. */
  readonly random: () => number;
  /** This VEN's venID, matched against event targets. */
  readonly venID?: string;
  /** What else identifies this VEN (resources, groups, device classes) for target matching. */
  readonly targets?: VenTargets;
}

/** The target criteria a VEN can declare about itself (CHECKLIST §3.7). */
export type VenTargets = Partial<Record<Exclude<keyof EiTarget, 'venID' | 'transportInterface'>, readonly string[]>>;

/**
 * Whether an event's eiTarget addresses this VEN: an empty target addresses every receiver; several
 * criteria are OR-ed (rule 22). A criterion the VEN has declared nothing about cannot rule it out.
 */
export function targetMatches(target: EiTarget, venID: string | undefined, declared: VenTargets = {}): boolean {
  let criteria = 0;
  for (const [key, values] of Object.entries(target) as Array<[keyof EiTarget, unknown]>) {
    if (!Array.isArray(values) || values.length === 0) continue;
    criteria++;
    if (key === 'venID') {
      if (venID !== undefined && values.includes(venID)) return true;
      continue;
    }
    if (key === 'transportInterface') return true;
    const mine = declared[key];
    if (mine === undefined || values.some((value) => mine.includes(value as string))) return true;
  }
  return criteria === 0;
}

/** What changed when a plan was committed, in the order the application should hear of it. */
export type EngineChange =
  | { readonly type: 'received'; readonly eventID: string }
  | { readonly type: 'modified'; readonly eventID: string }
  | { readonly type: 'cancelled'; readonly eventID: string; readonly implied: boolean };

/** The application's opt decision per eventID. */
export type OptDecisions = Map<string, OptType>;

/** The 2.0b signal names (without the deprecated lower-case `simple`): what a VEN supports by default. */
export const STANDARD_SIGNALS: readonly string[] = Object.freeze(SIGNAL_NAMES.filter((name) => name !== 'simple'));

export class EventEngine {
  #events = new Map<string, TrackedEvent>();

  constructor(initial: Iterable<TrackedEvent> = []) {
    for (const tracked of initial) this.#events.set(tracked.event.eventDescriptor.eventID, tracked);
  }

  /** The events held, in no particular order. */
  get events(): readonly TrackedEvent[] {
    return [...this.#events.values()];
  }

  get(eventID: string): TrackedEvent | undefined {
    return this.#events.get(eventID);
  }

  /** Puts back an event saved earlier (after a restart). */
  restore(tracked: TrackedEvent): void {
    this.#events.set(tracked.event.eventDescriptor.eventID, tracked);
  }

  /** Records an opt sent through EiOpt for a held event. */
  setOpt(eventID: string, optType: OptType): void {
    const tracked = this.#events.get(eventID);
    if (tracked !== undefined) this.#events.set(eventID, { ...tracked, optType });
  }

  /**
   * Classifies every event of a distribute (rules 56–61) without changing anything. The caller asks
   * the application about events with `needsDecision`, then calls `commit`.
   */
  plan(distribute: OadrDistributeEvent, context: PlanContext): DistributePlan {
    if (distribute.vtnID !== context.vtnID) {
      return { requestID: distribute.requestID, vtnMismatch: true, items: [], impliedCancellations: [] };
    }
    const seen = new Set<string>();
    const items: PlannedEvent[] = [];
    for (const { eiEvent, oadrResponseRequired } of distribute.oadrEvent ?? []) {
      const { eventID, modificationNumber, eventStatus } = eiEvent.eventDescriptor;
      const base = { eventID, modificationNumber, responseRequired: oadrResponseRequired };
      if (seen.has(eventID)) {
        items.push({ ...base, ...refusal(ResponseCode.INVALID_DATA, `eventID ${eventID} appears twice in one distribute`) });
        continue;
      }
      seen.add(eventID);
      const known = this.#events.get(eventID);
      if (known !== undefined && modificationNumber < known.event.eventDescriptor.modificationNumber) {
        items.push({
          ...base,
          kind: 'stale',
          needsDecision: false,
          responseCode: ResponseCode.OUT_OF_SEQUENCE,
          responseDescription: `modificationNumber ${modificationNumber} is lower than the ${known.event.eventDescriptor.modificationNumber} already received`,
          candidate: undefined,
        });
        continue;
      }
      if (eventStatus === 'cancelled') {
        if (known === undefined) {
          items.push({ ...base, kind: 'cancelledUnknown', needsDecision: false, responseCode: ResponseCode.OK, responseDescription: undefined, candidate: undefined });
        } else {
          const alreadyCancelled = known.cancelledAtMs !== undefined;
          items.push({
            ...base,
            kind: alreadyCancelled ? 'unchanged' : 'cancelled',
            needsDecision: false,
            responseCode: ResponseCode.OK,
            responseDescription: undefined,
            candidate: alreadyCancelled
              ? { ...known, event: eiEvent, responseRequired: oadrResponseRequired }
              : { ...known, event: eiEvent, responseRequired: oadrResponseRequired, cancelledAtMs: context.nowMs, impliedCancel: false },
          });
        }
        continue;
      }
      if (!targetMatches(eiEvent.eiTarget, context.venID, context.targets)) {
        items.push({ ...base, ...refusal(ResponseCode.TARGET_MISMATCH, `event ${eventID} targets other parties than this VEN`) });
        continue;
      }
      const problem = validateEvent(eiEvent, context.supportedSignals);
      if (problem !== undefined) {
        items.push({ ...base, ...refusal(problem.code, problem.description) });
        continue;
      }
      if (known !== undefined && modificationNumber === known.event.eventDescriptor.modificationNumber) {
        items.push({
          ...base,
          kind: 'unchanged',
          needsDecision: false,
          responseCode: ResponseCode.OK,
          responseDescription: undefined,
          candidate: { ...known, event: eiEvent, responseRequired: oadrResponseRequired },
        });
        continue;
      }
      const startafterMs = startafterOf(eiEvent);
      const startOffsetMs =
        known !== undefined && known.startafterMs === startafterMs ? known.startOffsetMs : Math.floor(context.random() * startafterMs);
      items.push({
        ...base,
        kind: known === undefined ? 'new' : 'modified',
        needsDecision: true,
        responseCode: ResponseCode.OK,
        responseDescription: undefined,
        candidate: { event: eiEvent, responseRequired: oadrResponseRequired, optType: 'optIn', startOffsetMs, startafterMs },
      });
    }
    const impliedCancellations = [...this.#events.keys()].filter((eventID) => !seen.has(eventID));
    return { requestID: distribute.requestID, vtnMismatch: false, items, impliedCancellations };
  }

  /**
   * Applies a plan with the application's opt decisions (default optIn). Events that are over and
   * no longer listed are forgotten; listed events the VEN refused leave the held state unchanged.
   */
  commit(plan: DistributePlan, decisions: ReadonlyMap<string, OptType>, nowMs: number): EngineChange[] {
    if (plan.vtnMismatch) return [];
    const changes: EngineChange[] = [];
    for (const item of plan.items) {
      if (item.candidate === undefined) continue;
      const optType = item.needsDecision ? (decisions.get(item.eventID) ?? 'optIn') : item.candidate.optType;
      this.#events.set(item.eventID, { ...item.candidate, optType });
      if (item.kind === 'new') changes.push({ type: 'received', eventID: item.eventID });
      if (item.kind === 'modified') changes.push({ type: 'modified', eventID: item.eventID });
      if (item.kind === 'cancelled') changes.push({ type: 'cancelled', eventID: item.eventID, implied: false });
    }
    for (const eventID of plan.impliedCancellations) {
      const tracked = this.#events.get(eventID);
      if (tracked === undefined) continue;
      if (executionPhase(tracked, nowMs) === 'done') {
        this.#events.delete(eventID);
        continue;
      }
      // Already cancelled: its randomized end is still ahead, keep executing until then.
      if (tracked.cancelledAtMs !== undefined) continue;
      this.#events.set(eventID, { ...tracked, cancelledAtMs: nowMs, impliedCancel: true });
      changes.push({ type: 'cancelled', eventID, implied: true });
    }
    return changes;
  }

  /** Drops events whose execution ended more than `retainMs` ago, so the state stays small. */
  prune(nowMs: number, retainMs: number): string[] {
    const dropped: string[] = [];
    for (const [eventID, tracked] of this.#events) {
      const end = executionWindow(tracked).endMs;
      if (end !== undefined && end + retainMs <= nowMs) {
        this.#events.delete(eventID);
        dropped.push(eventID);
      }
    }
    return dropped;
  }

  /** The earliest instant after `nowMs` at which some event's status or phase changes, if any. */
  nextChangeAfter(nowMs: number): number | undefined {
    let next: number | undefined;
    for (const tracked of this.#events.values()) {
      const { startMs, endMs } = executionWindow(tracked);
      const nearMs = startMs - rampUpOf(tracked.event);
      for (const t of [nearMs, startMs, endMs]) {
        if (t !== undefined && t > nowMs && (next === undefined || t < next)) next = t;
      }
    }
    return next;
  }
}

function refusal(code: ResponseCode, description: string): Omit<PlannedEvent, 'eventID' | 'modificationNumber' | 'responseRequired'> {
  return { kind: 'refused', needsDecision: false, responseCode: code, responseDescription: description, candidate: undefined };
}

function startafterOf(event: EiEvent): number {
  const startafter = event.eiActivePeriod.properties.tolerance?.startafter;
  return startafter === undefined ? 0 : durationToMs(startafter);
}

function rampUpOf(event: EiEvent): number {
  const rampUp = event.eiActivePeriod.properties['x-eiRampUp'];
  return rampUp === undefined ? 0 : Math.max(0, durationToMs(rampUp));
}

function safeDurationMs(text: string): number | undefined {
  try {
    return durationToMs(text);
  } catch {
    return undefined;
  }
}

/**
 * Why an event cannot be executed, or undefined: signals the VEN does not support (460) and time
 * lines that cannot exist (454): calendar durations, negative lengths, intervals that do not add up
 * to the active period (rule 8), negotiation rounds with missing or mismatched signals.
 */
export function validateEvent(event: EiEvent, supportedSignals: ReadonlySet<string>): { code: ResponseCode; description: string } | undefined {
  const properties = event.eiActivePeriod.properties;
  const durationMs = safeDurationMs(properties.duration);
  if (durationMs === undefined || durationMs < 0) {
    return { code: ResponseCode.INVALID_DATA, description: `active period duration ${properties.duration} is not a fixed, non-negative length` };
  }
  for (const [name, text] of [
    ['startafter', properties.tolerance?.startafter],
    ['x-eiRampUp', properties['x-eiRampUp']],
    ['x-eiRecovery', properties['x-eiRecovery']],
  ] as const) {
    if (text === undefined) continue;
    const ms = safeDurationMs(text);
    if (ms === undefined || (name === 'startafter' && ms < 0)) {
      return { code: ResponseCode.INVALID_DATA, description: `${name} ${text} is not a usable duration` };
    }
  }
  for (const signal of event.eiEventSignals.eiEventSignal) {
    if (!supportedSignals.has(signal.signalName)) {
      return { code: ResponseCode.SIGNAL_NOT_SUPPORTED, description: `signal ${signal.signalName} (${signal.signalID}) is not supported by this VEN` };
    }
    let total = 0;
    for (const [index, interval] of signal.intervals.entries()) {
      const isLastOfOpenEnded = durationMs === 0 && index === signal.intervals.length - 1;
      if (interval.duration === undefined) {
        if (isLastOfOpenEnded) continue;
        return { code: ResponseCode.INVALID_DATA, description: `interval ${index} of signal ${signal.signalID} has no duration` };
      }
      const ms = safeDurationMs(interval.duration);
      if (ms === undefined || ms < 0) {
        return { code: ResponseCode.INVALID_DATA, description: `interval ${index} of signal ${signal.signalID} has an impossible duration ${interval.duration}` };
      }
      if (ms === 0 && !isLastOfOpenEnded) {
        return { code: ResponseCode.INVALID_DATA, description: `interval ${index} of signal ${signal.signalID} has zero length` };
      }
      total += ms;
    }
    if (durationMs > 0 && total !== durationMs) {
      return {
        code: ResponseCode.INVALID_DATA,
        description: `intervals of signal ${signal.signalID} add up to ${total} ms, the active period lasts ${durationMs} ms`,
      };
    }
  }
  try {
    // A negotiation round that cannot be read back is refused rather than answered with a guess.
    readNegotiationEvent(event);
  } catch (failure) {
    return { code: ResponseCode.INVALID_DATA, description: failure instanceof Error ? failure.message : String(failure) };
  }
  return undefined;
}

/** When the VEN executes an event: randomized start, and end (undefined while open-ended). */
export function executionWindow(tracked: TrackedEvent): { startMs: number; endMs: number | undefined } {
  const properties = tracked.event.eiActivePeriod.properties;
  const startMs = parseDateTime(properties.dtstart) + tracked.startOffsetMs;
  const durationMs = durationToMs(properties.duration);
  let endMs = durationMs === 0 ? undefined : startMs + durationMs;
  if (tracked.cancelledAtMs !== undefined) {
    // A cancellation ends execution at a random point inside the startafter window too (rule 65).
    const cancelEnd = Math.max(startMs, tracked.cancelledAtMs + tracked.startOffsetMs);
    endMs = endMs === undefined ? cancelEnd : Math.min(endMs, cancelEnd);
  }
  return { startMs, endMs };
}

export function executionPhase(tracked: TrackedEvent, nowMs: number): ExecutionPhase {
  const { startMs, endMs } = executionWindow(tracked);
  if (endMs !== undefined && nowMs >= endMs) return 'done';
  return nowMs >= startMs ? 'active' : 'pending';
}

/**
 * The status per CHECKLIST §3.4: cancelled when cancelled; far before the ramp-up window, near inside
 * it; active from the randomized start (for ever when the duration is 0); completed after the end.
 */
export function eventStatusAt(tracked: TrackedEvent, nowMs: number): EventStatus {
  if (tracked.cancelledAtMs !== undefined || tracked.event.eventDescriptor.eventStatus === 'cancelled') return 'cancelled';
  const phase = executionPhase(tracked, nowMs);
  if (phase === 'done') return 'completed';
  if (phase === 'active') return 'active';
  const rampUpMs = rampUpOf(tracked.event);
  return rampUpMs > 0 && nowMs >= executionWindow(tracked).startMs - rampUpMs ? 'near' : 'far';
}

/** The application's view of an event at `nowMs`. */
export function toVenEvent(tracked: TrackedEvent, nowMs: number): VenEvent {
  const descriptor = tracked.event.eventDescriptor;
  const properties = tracked.event.eiActivePeriod.properties;
  const { startMs, endMs } = executionWindow(tracked);
  const signals = tracked.event.eiEventSignals.eiEventSignal.map((signal): VenSignal => {
    let at = startMs;
    const intervals = signal.intervals.map((interval): VenSignalInterval => {
      const durationMs = interval.duration === undefined ? undefined : durationToMs(interval.duration);
      const result = { startMs: at, durationMs: durationMs === 0 ? undefined : durationMs, value: interval.signalPayload };
      at += durationMs ?? 0;
      return result;
    });
    return { signalName: signal.signalName, signalType: signal.signalType, signalID: signal.signalID, itemBase: signal.itemBase, intervals };
  });
  return {
    eventID: descriptor.eventID,
    modificationNumber: descriptor.modificationNumber,
    marketContext: descriptor.marketContext,
    priority: descriptor.priority,
    testEvent: descriptor.testEvent !== undefined && descriptor.testEvent !== 'false',
    scheduledStartMs: parseDateTime(properties.dtstart),
    startMs,
    durationMs: durationToMs(properties.duration),
    endMs,
    status: eventStatusAt(tracked, nowMs),
    optType: tracked.optType,
    signals,
    raw: tracked.event,
  };
}

/**
 * The value a signal of an event has at `nowMs`: the payload of the interval running then (the first
 * signal with that name), or undefined before the start, after the end or without such a signal.
 */
export function signalValueAt(event: VenEvent, signalName: string, nowMs: number): number | undefined {
  if (nowMs < event.startMs || (event.endMs !== undefined && nowMs >= event.endMs)) return undefined;
  const signal = event.signals.find((candidate) => candidate.signalName === signalName);
  const interval = signal?.intervals.find((candidate) => nowMs >= candidate.startMs && (candidate.durationMs === undefined || nowMs < candidate.startMs + candidate.durationMs));
  return interval?.value;
}

/**
 * The oadrCreatedEvent answering a plan, or undefined when nothing needs an answer: an empty
 * distribute, or only events with responseRequired=never (rules 12, 62). Each eventResponse carries
 * the distribute's requestID; the outer one stays empty (rule 42). A vtnID mismatch is answered as a
 * whole with 452 and no eventResponses (rule 35).
 */
export function buildCreatedEvent(plan: DistributePlan, decisions: ReadonlyMap<string, OptType>, venID: string, held: (eventID: string) => TrackedEvent | undefined): OadrCreatedEvent | undefined {
  if (plan.vtnMismatch) {
    return {
      eiCreatedEvent: {
        eiResponse: { responseCode: ResponseCode.INVALID_ID, responseDescription: 'vtnID does not match the registered VTN', requestID: plan.requestID },
        venID,
      },
    };
  }
  const eventResponses: EventResponse[] = [];
  for (const item of plan.items) {
    if (item.responseRequired === 'never') continue;
    let optType: OptType;
    if (item.needsDecision) optType = decisions.get(item.eventID) ?? 'optIn';
    else if (item.kind === 'refused') optType = 'optOut';
    else if (item.kind === 'cancelled' || item.kind === 'cancelledUnknown') optType = 'optIn';
    else optType = held(item.eventID)?.optType ?? item.candidate?.optType ?? 'optOut';
    eventResponses.push({
      responseCode: item.responseCode,
      ...(item.responseDescription === undefined ? {} : { responseDescription: item.responseDescription }),
      requestID: plan.requestID,
      qualifiedEventID: { eventID: item.eventID, modificationNumber: item.modificationNumber },
      optType,
    });
  }
  if (eventResponses.length === 0) return undefined;
  return { eiCreatedEvent: { eiResponse: { responseCode: ResponseCode.OK, requestID: '' }, eventResponses, venID } };
}
