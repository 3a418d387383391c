import { durationToMs, formatDateTime, parseDateTime, type EventStatus, type OadrEvent } from '@oadr-kit/protocol';
import type { EventRecord, EventSpec, VenRecord } from '../store/VtnStore.js';
import { eventTargetFor } from './targets.js';

/** Open-ended events (duration 0, rule 47) stay visible until cancelled. */
export const FOREVER = Number.MAX_SAFE_INTEGER;

export interface EventTimes {
  start: number;
  /** FOREVER for an open-ended event. */
  end: number;
  rampUpMs: number;
  startAfterMs: number;
}

export function eventTimes(spec: EventSpec): EventTimes {
  const p = spec.activePeriod;
  const start = parseDateTime(p.dtstart);
  const durationMs = durationToMs(p.duration);
  return {
    start,
    end: durationMs === 0 ? FOREVER : start + durationMs,
    rampUpMs: p['x-eiRampUp'] === undefined ? 0 : Math.max(0, durationToMs(p['x-eiRampUp'])),
    startAfterMs: p.tolerance?.startafter === undefined ? 0 : Math.max(0, durationToMs(p.tolerance.startafter)),
  };
}

/**
 * The status of an event at `now` (CHECKLIST §3.4): cancelled when cancelled; else active between
 * start and end; near inside the ramp-up window before the start; far before that; completed after.
 */
export function eventStatus(event: Pick<EventRecord, 'cancelledAt' | 'spec'>, now: number): EventStatus {
  if (event.cancelledAt !== undefined) return 'cancelled';
  const t = eventTimes(event.spec);
  if (now >= t.end) return 'completed';
  if (now >= t.start) return 'active';
  if (t.rampUpMs > 0 && now >= t.start - t.rampUpMs) return 'near';
  return 'far';
}

/**
 * Until when the VTN keeps sending an event: a completed one until end + startafter (rule 66), a
 * cancelled one for `cancelRetentionMs` after the cancellation so every VEN learns of it (rule 50).
 */
export function visibleUntil(spec: EventSpec, cancelledAt: number | undefined, cancelRetentionMs: number): number {
  const t = eventTimes(spec);
  const natural = t.end === FOREVER ? FOREVER : t.end + t.startAfterMs;
  if (cancelledAt === undefined) return natural;
  return Math.min(natural, cancelledAt + cancelRetentionMs);
}

const ORDER: Record<EventStatus, number> = { active: 0, near: 1, far: 1, none: 1, completed: 2, cancelled: 2 };

/** Priority as a sort key: lower number first; 0 and none mean "no priority", the lowest (XSD annotation). */
function priorityKey(priority: number | undefined): number {
  return priority === undefined || priority === 0 ? Number.MAX_SAFE_INTEGER : priority;
}

/**
 * Orders events as rule 15 requires: active first (by priority, then start), then pending by start,
 * then completed and cancelled ones.
 */
export function orderEvents<T extends Pick<EventRecord, 'cancelledAt' | 'spec' | 'eventID'>>(events: readonly T[], now: number): T[] {
  const keyed = events.map((event) => ({ event, status: eventStatus(event, now), start: eventTimes(event.spec).start }));
  keyed.sort(
    (a, b) =>
      ORDER[a.status] - ORDER[b.status] ||
      (a.status === 'active' ? priorityKey(a.event.spec.priority) - priorityKey(b.event.spec.priority) : 0) ||
      a.start - b.start ||
      a.event.eventID.localeCompare(b.event.eventID),
  );
  return keyed.map((k) => k.event);
}

/** The payload of the interval executing at `now`, or 0 when the event is not active (rule 14). */
function currentValue(intervals: ReadonlyArray<{ duration?: string | undefined; signalPayload: number }>, start: number, now: number, active: boolean): number {
  if (!active) return 0;
  let t = start;
  for (const interval of intervals) {
    const length = interval.duration === undefined ? 0 : durationToMs(interval.duration);
    if (length === 0 || now < t + length) return interval.signalPayload;
    t += length;
  }
  return 0;
}

/** The oadrEvent one VEN receives for an event at `now`. */
export function toOadrEvent(event: EventRecord, ven: Pick<VenRecord, 'venID'>, now: number): OadrEvent {
  const status = eventStatus(event, now);
  const start = eventTimes(event.spec).start;
  const spec = event.spec;
  return {
    eiEvent: {
      eventDescriptor: {
        eventID: event.eventID,
        modificationNumber: event.modificationNumber,
        ...(event.modificationNumber > 0 ? { modificationDateTime: formatDateTime(event.modifiedAt) } : {}),
        ...(event.modificationReason === undefined ? {} : { modificationReason: event.modificationReason }),
        ...(spec.priority === undefined ? {} : { priority: spec.priority }),
        marketContext: event.marketContext,
        createdDateTime: formatDateTime(event.createdAt),
        eventStatus: status,
        ...(spec.testEvent === undefined ? {} : { testEvent: spec.testEvent }),
        ...(spec.vtnComment === undefined ? {} : { vtnComment: spec.vtnComment }),
      },
      eiActivePeriod: { properties: spec.activePeriod },
      eiEventSignals: {
        eiEventSignal: spec.signals.map((signal) => ({
          ...signal,
          currentValue: currentValue(signal.intervals, start, now, status === 'active'),
        })),
        ...(spec.baseline === undefined ? {} : { eiEventBaseline: spec.baseline }),
      },
      eiTarget: eventTargetFor(spec.target, ven.venID),
    },
    oadrResponseRequired: spec.responseRequired,
  };
}
