import { ResponseCode, type OptType } from '@oadr-kit/protocol';
import {
  buildCreatedEvent,
  EventEngine,
  eventStatusAt,
  executionWindow,
  signalValueAt,
  STANDARD_SIGNALS,
  targetMatches,
  toVenEvent,
  validateEvent,
  type PlanContext,
  type TrackedEvent,
} from '../src/EventEngine.js';
import { distribute, makeEvent, MIN, T0, VEN_ID, VTN_ID } from './helpers/events.js';

const supportedSignals = new Set(STANDARD_SIGNALS);
const context = (nowMs: number, random = 0.5): PlanContext => ({ nowMs, vtnID: VTN_ID, supportedSignals, random: () => random, venID: VEN_ID });
const noDecisions = new Map<string, OptType>();

function tracked(spec: Parameters<typeof makeEvent>[0], offset = 0): TrackedEvent {
  const { eiEvent, oadrResponseRequired } = makeEvent(spec);
  return { event: eiEvent, responseRequired: oadrResponseRequired, optType: 'optIn', startOffsetMs: offset, startafterMs: 0 };
}

function accept(engine: EventEngine, events: ReturnType<typeof makeEvent>[], nowMs: number, random = 0.5) {
  const plan = engine.plan(distribute(events), context(nowMs, random));
  const changes = engine.commit(plan, noDecisions, nowMs);
  return { plan, changes };
}

describe('eventStatusAt (CHECKLIST §3.4)', () => {
  it('is far before the ramp-up window, near inside it, active, then completed', () => {
    const event = tracked({ rampUp: 'PT10M' });
    expect(eventStatusAt(event, T0 - 11 * MIN)).toBe('far');
    expect(eventStatusAt(event, T0 - 10 * MIN)).toBe('near');
    expect(eventStatusAt(event, T0 - 1)).toBe('near');
    expect(eventStatusAt(event, T0)).toBe('active');
    expect(eventStatusAt(event, T0 + 60 * MIN - 1)).toBe('active');
    expect(eventStatusAt(event, T0 + 60 * MIN)).toBe('completed');
  });

  it('is far right up to the start when there is no ramp-up', () => {
    expect(eventStatusAt(tracked({}), T0 - 1)).toBe('far');
  });

  it('treats duration 0 as open-ended: active until cancelled, never completed', () => {
    const event = tracked({ duration: 'PT0S', intervals: ['PT0S'] });
    expect(eventStatusAt(event, T0 + 365 * 24 * 60 * MIN)).toBe('active');
    expect(executionWindow(event).endMs).toBeUndefined();
  });

  it('applies the randomized start offset to status and window', () => {
    const event = tracked({}, 5 * MIN);
    expect(eventStatusAt(event, T0 + 4 * MIN)).toBe('far');
    expect(eventStatusAt(event, T0 + 5 * MIN)).toBe('active');
    expect(executionWindow(event)).toEqual({ startMs: T0 + 5 * MIN, endMs: T0 + 65 * MIN });
  });

  it('says cancelled for a cancelled event whatever the time', () => {
    expect(eventStatusAt(tracked({ status: 'cancelled' }), T0 - 100 * MIN)).toBe('cancelled');
  });
});

describe('validateEvent', () => {
  it('accepts intervals that add up to the active period', () => {
    expect(validateEvent(makeEvent().eiEvent, supportedSignals)).toBeUndefined();
  });

  it('accepts an open-ended event whose last interval has duration 0', () => {
    expect(validateEvent(makeEvent({ duration: 'PT0S', intervals: ['PT30M', 'PT0S'] }).eiEvent, supportedSignals)).toBeUndefined();
  });

  it.each([
    ['intervals shorter than the period', { intervals: ['PT30M', 'PT20M'] }, /add up to/],
    ['a zero-length interval inside a fixed period', { duration: 'PT30M', intervals: ['PT0S', 'PT30M'] }, /zero length/],
    ['a negative interval', { duration: 'PT30M', intervals: ['-PT30M', 'PT60M'] }, /impossible duration/],
    ['a negative active period', { duration: '-PT1H', intervals: ['PT1H'] }, /non-negative/],
    ['a calendar duration', { duration: 'P1M', intervals: ['P1M'] }, /fixed/],
    ['a negative startafter', { startafter: '-PT5M' }, /startafter/],
  ])('refuses %s with 454', (_name, spec, message) => {
    const problem = validateEvent(makeEvent(spec).eiEvent, supportedSignals);
    expect(problem?.code).toBe(ResponseCode.INVALID_DATA);
    expect(problem?.description).toMatch(message);
  });

  it('refuses an unknown signal name with 460', () => {
    const problem = validateEvent(makeEvent({ signalName: 'x-CUSTOM_SIGNAL' }).eiEvent, supportedSignals);
    expect(problem?.code).toBe(ResponseCode.SIGNAL_NOT_SUPPORTED);
  });

  it('accepts an x- signal the VEN declares it supports', () => {
    expect(validateEvent(makeEvent({ signalName: 'x-CUSTOM_SIGNAL' }).eiEvent, new Set(['x-CUSTOM_SIGNAL']))).toBeUndefined();
  });
});

describe('EventEngine.plan and commit (rules 56–61)', () => {
  it('adds an unknown event (56) and asks for a decision', () => {
    const engine = new EventEngine();
    const { plan, changes } = accept(engine, [makeEvent()], T0 - 60 * MIN);
    expect(plan.items[0]).toMatchObject({ kind: 'new', needsDecision: true, responseCode: '200' });
    expect(changes).toEqual([{ type: 'received', eventID: 'event-1' }]);
    expect(engine.get('event-1')?.optType).toBe('optIn');
  });

  it('records the opt decision given to commit', () => {
    const engine = new EventEngine();
    const plan = engine.plan(distribute([makeEvent()]), context(T0));
    engine.commit(plan, new Map([['event-1', 'optOut']]), T0);
    expect(engine.get('event-1')?.optType).toBe('optOut');
  });

  it('replaces a known event on a higher modificationNumber (57), keeping the start offset while startafter is unchanged (rule 30)', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ startafter: 'PT10M' })], T0 - 60 * MIN, 0.3);
    expect(engine.get('event-1')?.startOffsetMs).toBe(3 * MIN);
    const { plan, changes } = accept(engine, [makeEvent({ mod: 1, startafter: 'PT10M', startMs: T0 + 10 * MIN })], T0 - 30 * MIN, 0.9);
    expect(plan.items[0]?.kind).toBe('modified');
    expect(changes).toEqual([{ type: 'modified', eventID: 'event-1' }]);
    expect(engine.get('event-1')?.startOffsetMs).toBe(3 * MIN);
    expect(executionWindow(engine.get('event-1') as TrackedEvent).startMs).toBe(T0 + 13 * MIN);
  });

  it('draws a new offset when startafter changes', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ startafter: 'PT10M' })], T0 - 60 * MIN, 0.3);
    accept(engine, [makeEvent({ mod: 1, startafter: 'PT20M' })], T0 - 30 * MIN, 0.5);
    expect(engine.get('event-1')?.startOffsetMs).toBe(10 * MIN);
  });

  it('answers the same modificationNumber as unchanged without asking again', () => {
    const engine = new EventEngine();
    const first = engine.plan(distribute([makeEvent()]), context(T0));
    engine.commit(first, new Map([['event-1', 'optOut']]), T0);
    const { plan, changes } = accept(engine, [makeEvent()], T0 + MIN);
    expect(plan.items[0]).toMatchObject({ kind: 'unchanged', needsDecision: false });
    expect(changes).toEqual([]);
    const created = buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id));
    expect(created?.eiCreatedEvent.eventResponses?.[0]?.optType).toBe('optOut');
  });

  it('refuses a lower modificationNumber with 450 and keeps the held event (58), even for a cancellation', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ mod: 3 })], T0 - 60 * MIN);
    for (const status of ['far', 'cancelled'] as const) {
      const { plan, changes } = accept(engine, [makeEvent({ mod: 2, status })], T0 - 50 * MIN);
      expect(plan.items[0]).toMatchObject({ kind: 'stale', responseCode: ResponseCode.OUT_OF_SEQUENCE });
      expect(changes).toEqual([]);
      expect(engine.get('event-1')?.event.eventDescriptor.modificationNumber).toBe(3);
      expect(engine.get('event-1')?.cancelledAtMs).toBeUndefined();
    }
  });

  it('stops a known event that is cancelled (59); the ack is optIn', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent()], T0 - 60 * MIN);
    const { plan, changes } = accept(engine, [makeEvent({ mod: 1, status: 'cancelled' })], T0 + 10 * MIN);
    expect(changes).toEqual([{ type: 'cancelled', eventID: 'event-1', implied: false }]);
    const event = engine.get('event-1') as TrackedEvent;
    expect(eventStatusAt(event, T0 + 10 * MIN)).toBe('cancelled');
    expect(executionWindow(event).endMs).toBe(T0 + 10 * MIN);
    expect(buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id))?.eiCreatedEvent.eventResponses?.[0]).toMatchObject({
      responseCode: '200',
      optType: 'optIn',
    });
  });

  it('ends a cancelled randomized event at the cancellation plus its offset (rule 65)', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ startafter: 'PT10M' })], T0 - 60 * MIN, 0.5);
    accept(engine, [makeEvent({ mod: 1, startafter: 'PT10M', status: 'cancelled' })], T0 + 20 * MIN);
    expect(executionWindow(engine.get('event-1') as TrackedEvent).endMs).toBe(T0 + 25 * MIN);
  });

  it('acknowledges a cancelled unknown event without keeping it or raising an ID error (60)', () => {
    const engine = new EventEngine();
    const { plan, changes } = accept(engine, [makeEvent({ status: 'cancelled' })], T0);
    expect(plan.items[0]).toMatchObject({ kind: 'cancelledUnknown', responseCode: '200' });
    expect(changes).toEqual([]);
    expect(engine.events).toHaveLength(0);
    expect(buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id))?.eiCreatedEvent.eventResponses).toHaveLength(1);
  });

  it('cancels a pending or active event that disappears from the list (61) and forgets finished ones', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ id: 'a' }), makeEvent({ id: 'b', startMs: T0 - 120 * MIN })], T0 - 200 * MIN);
    const { changes } = accept(engine, [], T0 + 5 * MIN);
    expect(changes).toEqual([{ type: 'cancelled', eventID: 'a', implied: true }]);
    expect(engine.get('b')).toBeUndefined();
    expect(eventStatusAt(engine.get('a') as TrackedEvent, T0 + 5 * MIN)).toBe('cancelled');
    // Still absent once its execution is over: forgotten, no second notification.
    expect(accept(engine, [], T0 + 6 * MIN).changes).toEqual([]);
    expect(engine.get('a')).toBeUndefined();
  });

  it('keeps a randomized implied cancellation executing until its end', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent({ startafter: 'PT10M' })], T0 - 60 * MIN, 0.5);
    accept(engine, [], T0 + 10 * MIN);
    expect(accept(engine, [], T0 + 12 * MIN).changes).toEqual([]);
    expect(engine.get('event-1')).toBeDefined();
    accept(engine, [], T0 + 15 * MIN);
    expect(engine.get('event-1')).toBeUndefined();
  });

  it('refuses an event with an unknown signal (460) or impossible intervals (454) and keeps the rest', () => {
    const engine = new EventEngine();
    const { plan } = accept(engine, [makeEvent({ id: 'x', signalName: 'x-CUSTOM_SIGNAL' }), makeEvent({ id: 'bad', intervals: ['PT5M'] }), makeEvent({ id: 'ok' })], T0);
    expect(plan.items.map((item) => [item.kind, item.responseCode])).toEqual([
      ['refused', '460'],
      ['refused', '454'],
      ['new', '200'],
    ]);
    expect(engine.events.map((e) => e.event.eventDescriptor.eventID)).toEqual(['ok']);
    const responses = buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id))?.eiCreatedEvent.eventResponses ?? [];
    expect(responses.map((r) => r.optType)).toEqual(['optOut', 'optOut', 'optIn']);
  });

  it('keeps the last good version when a modification is refused', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent()], T0 - 60 * MIN);
    accept(engine, [makeEvent({ mod: 1, intervals: ['PT5M'] })], T0 - 50 * MIN);
    expect(engine.get('event-1')?.event.eventDescriptor.modificationNumber).toBe(0);
  });

  it('refuses a duplicate eventID inside one distribute', () => {
    const engine = new EventEngine();
    const { plan } = accept(engine, [makeEvent(), makeEvent({ mod: 1 })], T0);
    expect(plan.items.map((item) => item.kind)).toEqual(['new', 'refused']);
  });

  it('applies nothing from a distribute with another vtnID and answers 452 as a whole', () => {
    const engine = new EventEngine();
    accept(engine, [makeEvent()], T0 - 60 * MIN);
    const plan = engine.plan(distribute([], 'req-9', 'VTN-TEST'), context(T0));
    expect(plan.vtnMismatch).toBe(true);
    expect(engine.commit(plan, noDecisions, T0)).toEqual([]);
    expect(engine.get('event-1')).toBeDefined();
    const created = buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id));
    expect(created?.eiCreatedEvent.eiResponse).toMatchObject({ responseCode: '452', requestID: 'req-9' });
    expect(created?.eiCreatedEvent.eventResponses).toBeUndefined();
  });
});

describe('buildCreatedEvent (§3.5)', () => {
  it('sends nothing for an empty distribute', () => {
    const engine = new EventEngine();
    expect(buildCreatedEvent(accept(engine, [], T0).plan, noDecisions, VEN_ID, () => undefined)).toBeUndefined();
  });

  it('sends nothing for events with responseRequired never, and answers the others', () => {
    const engine = new EventEngine();
    const { plan } = accept(engine, [makeEvent({ id: 'quiet', responseRequired: 'never' })], T0);
    expect(buildCreatedEvent(plan, noDecisions, VEN_ID, (id) => engine.get(id))).toBeUndefined();
    const both = accept(engine, [makeEvent({ id: 'quiet', responseRequired: 'never' }), makeEvent({ id: 'loud' })], T0).plan;
    const responses = buildCreatedEvent(both, noDecisions, VEN_ID, (id) => engine.get(id))?.eiCreatedEvent.eventResponses ?? [];
    expect(responses.map((r) => r.qualifiedEventID.eventID)).toEqual(['loud']);
  });

  it("carries the distribute's requestID in each eventResponse and leaves the outer one empty (rule 42)", () => {
    const engine = new EventEngine();
    const plan = engine.plan(distribute([makeEvent({ mod: 4 })], 'dist-77'), context(T0));
    const created = buildCreatedEvent(plan, new Map([['event-1', 'optOut']]), VEN_ID, () => undefined);
    expect(created).toEqual({
      eiCreatedEvent: {
        eiResponse: { responseCode: '200', requestID: '' },
        eventResponses: [{ responseCode: '200', requestID: 'dist-77', qualifiedEventID: { eventID: 'event-1', modificationNumber: 4 }, optType: 'optOut' }],
        venID: VEN_ID,
      },
    });
  });
});

describe('nextChangeAfter, prune and toVenEvent', () => {
  it('gives the next near, start and end instants in turn', () => {
    const engine = new EventEngine([tracked({ rampUp: 'PT10M' })]);
    expect(engine.nextChangeAfter(T0 - 60 * MIN)).toBe(T0 - 10 * MIN);
    expect(engine.nextChangeAfter(T0 - 10 * MIN)).toBe(T0);
    expect(engine.nextChangeAfter(T0)).toBe(T0 + 60 * MIN);
    expect(engine.nextChangeAfter(T0 + 60 * MIN)).toBeUndefined();
  });

  it('prunes events that ended longer ago than the retention, never open-ended ones', () => {
    const engine = new EventEngine([tracked({ id: 'old' }), tracked({ id: 'open', duration: 'PT0S', intervals: ['PT0S'] })]);
    expect(engine.prune(T0 + 61 * MIN, 5 * MIN)).toEqual([]);
    expect(engine.prune(T0 + 65 * MIN, 5 * MIN)).toEqual(['old']);
    expect(engine.events.map((e) => e.event.eventDescriptor.eventID)).toEqual(['open']);
  });

  it('gives the value of the interval running at an instant, nothing outside the event', () => {
    const view = toVenEvent(tracked({}, 2 * MIN), T0);
    expect(signalValueAt(view, 'SIMPLE', T0 + MIN)).toBeUndefined();
    expect(signalValueAt(view, 'SIMPLE', T0 + 2 * MIN)).toBe(0);
    expect(signalValueAt(view, 'SIMPLE', T0 + 40 * MIN)).toBe(1);
    expect(signalValueAt(view, 'SIMPLE', T0 + 62 * MIN)).toBeUndefined();
    expect(signalValueAt(view, 'ELECTRICITY_PRICE', T0 + 40 * MIN)).toBeUndefined();
    const open = toVenEvent(tracked({ duration: 'PT0S', intervals: ['PT30M', 'PT0S'] }), T0);
    expect(signalValueAt(open, 'SIMPLE', T0 + 24 * 60 * MIN)).toBe(1);
  });

  it('resolves signal intervals onto the time line from the randomized start', () => {
    const view = toVenEvent(tracked({}, 2 * MIN), T0);
    expect(view).toMatchObject({ eventID: 'event-1', startMs: T0 + 2 * MIN, scheduledStartMs: T0, endMs: T0 + 62 * MIN, status: 'far', testEvent: false });
    expect(view.signals[0]?.intervals).toEqual([
      { startMs: T0 + 2 * MIN, durationMs: 30 * MIN, value: 0 },
      { startMs: T0 + 32 * MIN, durationMs: 30 * MIN, value: 1 },
    ]);
  });
});

describe('targetMatches (CHECKLIST §3.7, rule 22)', () => {
  it('takes an empty target as addressing every receiver', () => {
    expect(targetMatches({}, VEN_ID)).toBe(true);
    expect(targetMatches({ venID: [], groupID: [] }, VEN_ID)).toBe(true);
  });

  it('matches on venID or on any declared criterion (OR)', () => {
    expect(targetMatches({ venID: ['other', VEN_ID] }, VEN_ID)).toBe(true);
    expect(targetMatches({ venID: ['other'], groupID: ['feeder-3'] }, VEN_ID, { groupID: ['feeder-3'] })).toBe(true);
    expect(targetMatches({ resourceID: ['battery-1'] }, VEN_ID, { resourceID: ['heatpump-1', 'battery-1'] })).toBe(true);
  });

  it('lets a criterion the VEN declared nothing about count as a match', () => {
    expect(targetMatches({ venID: ['other'], endDeviceAsset: ['Thermostat'] }, VEN_ID, { groupID: ['g'] })).toBe(true);
  });

  it('refuses a target naming other parties only', () => {
    expect(targetMatches({ venID: ['other'] }, VEN_ID)).toBe(false);
    expect(targetMatches({ venID: ['other'], groupID: ['feeder-9'] }, VEN_ID, { groupID: ['feeder-3'] })).toBe(false);
  });

  it('answers an event for another VEN with 462 and does not keep it', () => {
    const engine = new EventEngine();
    const other = makeEvent();
    other.eiEvent.eiTarget = { venID: ['someone-else'] };
    const { plan } = accept(engine, [other], T0);
    expect(plan.items[0]).toMatchObject({ kind: 'refused', responseCode: ResponseCode.TARGET_MISMATCH });
    expect(engine.events).toHaveLength(0);
  });
});
