import { eventStatus, FOREVER, orderEvents, toOadrEvent, visibleUntil, type EventRecord, type EventSpec } from '../../src/index.js';

const T = Date.parse('2026-11-27T13:00:00Z');
const MIN = 60_000;

function spec(extra: Partial<EventSpec> = {}, period: Partial<EventSpec['activePeriod']> = {}): EventSpec {
  return {
    priority: undefined,
    testEvent: undefined,
    vtnComment: undefined,
    responseRequired: 'always',
    activePeriod: { dtstart: '2026-11-27T13:00:00Z', duration: 'PT1H', ...period },
    signals: [
      {
        signalName: 'SIMPLE',
        signalType: 'level',
        signalID: 's',
        intervals: [
          { duration: 'PT30M', uid: '0', signalPayload: 1 },
          { duration: 'PT30M', uid: '1', signalPayload: 3 },
        ],
      },
    ],
    baseline: undefined,
    target: {},
    ...extra,
  };
}

function event(eventID: string, s: EventSpec, cancelledAt?: number): EventRecord {
  return { eventID, programID: undefined, marketContext: 'http://m', modificationNumber: 0, modificationReason: undefined, createdAt: T - 60 * MIN, modifiedAt: T - 60 * MIN, cancelledAt, visibleUntil: FOREVER, spec: s };
}

describe('eventStatus', () => {
  it.each([
    [-60, 'far'],
    [-31, 'far'],
    [-30, 'near'],
    [0, 'active'],
    [59, 'active'],
    [60, 'completed'],
  ])('at %d minutes from the start of an event with a 30-minute ramp-up: %s', (minutes, status) => {
    expect(eventStatus(event('e', spec({}, { 'x-eiRampUp': 'PT30M' })), T + minutes * MIN)).toBe(status);
  });

  it('is far (never near) before the start without a ramp-up', () => {
    expect(eventStatus(event('e', spec()), T - MIN)).toBe('far');
  });

  it('keeps an open-ended event (duration 0) active until cancelled (rule 47)', () => {
    const open = event('e', spec({}, { duration: 'PT0S' }));
    expect(eventStatus(open, T + 365 * 24 * 60 * MIN)).toBe('active');
    expect(eventStatus({ ...open, cancelledAt: T }, T + MIN)).toBe('cancelled');
  });
});

describe('visibleUntil', () => {
  it('keeps a completed event until end + startafter (rule 66) and a cancelled one for the retention', () => {
    const s = spec({}, { tolerance: { startafter: 'PT5M' } });
    expect(visibleUntil(s, undefined, 10 * MIN)).toBe(T + 65 * MIN);
    expect(visibleUntil(s, T - 30 * MIN, 10 * MIN)).toBe(T - 20 * MIN);
    expect(visibleUntil(spec({}, { duration: 'PT0S' }), undefined, MIN)).toBe(FOREVER);
  });
});

describe('orderEvents (rule 15)', () => {
  it('puts active events first by priority (0 and none last), then pending by start, then completed and cancelled by start', () => {
    const now = T + 10 * MIN;
    const events = [
      event('cancelled', spec(), T),
      event('pending-late', spec({}, { dtstart: '2026-11-27T16:00:00Z' })),
      event('active-p0', spec({ priority: 0 })),
      event('pending-soon', spec({}, { dtstart: '2026-11-27T14:00:00Z' })),
      event('active-p2', spec({ priority: 2 })),
      event('active-p1', spec({ priority: 1 })),
      event('completed', spec({}, { dtstart: '2026-11-27T11:00:00Z' })),
    ];
    expect(orderEvents(events, now).map((e) => e.eventID)).toEqual(['active-p1', 'active-p2', 'active-p0', 'pending-soon', 'pending-late', 'completed', 'cancelled']);
  });
});

describe('toOadrEvent', () => {
  it('sets the current value of the executing interval while active and 0 otherwise (rule 14)', () => {
    const e = event('e', spec());
    const at = (minutes: number) => toOadrEvent(e, { venID: 'v' }, T + minutes * MIN).eiEvent.eiEventSignals.eiEventSignal[0]?.currentValue;
    expect(at(-5)).toBe(0);
    expect(at(5)).toBe(1);
    expect(at(45)).toBe(3);
    expect(at(61)).toBe(0);
  });

  it('writes modificationDateTime only for a modified event and the VEN its own venID only', () => {
    const e = { ...event('e', spec({ target: { venID: ['a', 'b'], groupID: ['g'] } })), modificationNumber: 2, modifiedAt: T - MIN };
    const out = toOadrEvent(e, { venID: 'b' }, T - 2 * MIN);
    expect(out.eiEvent.eventDescriptor).toMatchObject({ modificationNumber: 2, modificationDateTime: '2026-11-27T12:59:00Z', eventStatus: 'far' });
    expect(out.eiEvent.eiTarget).toEqual({ venID: ['b'], groupID: ['g'] });
    expect(toOadrEvent(event('e', spec()), { venID: 'b' }, T).eiEvent.eventDescriptor.modificationDateTime).toBeUndefined();
  });
});
