import { Battery, DeferrableLoad, FixedLoad, type Horizon } from '@oadr-kit/aggregator';
import { deviceSchedule, type VenEvent, type VenSignal } from '../src/index.js';
import { VenError } from '../src/VenError.js';
import { makeEvent } from './helpers/events.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 28, 0, 0, 0);

/** A VEN event with the given signals, all starting at T0. */
function event(signals: VenSignal[]): VenEvent {
  const durationMs = signals[0]!.intervals.reduce((sum, i) => sum + (i.durationMs ?? 0), 0);
  return {
    eventID: 'event-1',
    modificationNumber: 0,
    marketContext: 'http://market.example.com/test',
    priority: undefined,
    testEvent: false,
    scheduledStartMs: T0,
    startMs: T0,
    durationMs,
    endMs: T0 + durationMs,
    status: 'far',
    optType: 'optIn',
    signals,
    raw: makeEvent().eiEvent,
  };
}

function signal(signalName: string, signalType: string, values: number[], durationMs = HOUR): VenSignal {
  return { signalName, signalType, signalID: signalName, itemBase: undefined, intervals: values.map((value, i) => ({ startMs: T0 + i * durationMs, durationMs, value })) };
}

const battery = (horizon: Horizon) => [new Battery('battery', { capacityKwh: 4, maxChargeKw: 2, maxDischargeKw: 2, initialSocKwh: 2, finalSocKwh: 2 }, horizon), new FixedLoad('base', { powerKw: 1 }, horizon)];

describe('deviceSchedule', () => {
  test('a battery charges in the cheap hours and discharges in the dear ones of a price event', () => {
    const prices = [0.1, 0.1, 0.4, 0.4];
    const schedule = deviceSchedule(event([signal('ELECTRICITY_PRICE', 'price', prices)]), battery);
    expect(schedule).toMatchObject({ basis: 'ELECTRICITY_PRICE', startMs: T0, slotMs: HOUR });
    const kw = schedule.devices.get('battery')!;
    expect(kw[0]! + kw[1]!).toBeGreaterThan(1.9);
    expect(kw[2]! + kw[3]!).toBeLessThan(-1.9);
    expect(schedule.devices.get('base')).toEqual([1, 1, 1, 1]);
    schedule.totalKw.forEach((total, t) => expect(total).toBeCloseTo(kw[t]! + 1, 9));
  });

  test('intervals of different lengths become slots of their greatest common length', () => {
    const price: VenSignal = { ...signal('ELECTRICITY_PRICE', 'price', [0.1]), intervals: [{ startMs: T0, durationMs: 2 * HOUR, value: 0.1 }, { startMs: T0 + 2 * HOUR, durationMs: HOUR, value: 0.5 }] };
    const schedule = deviceSchedule(event([price]), battery);
    expect(schedule.slotMs).toBe(HOUR);
    expect(schedule.totalKw).toHaveLength(3);
  });

  test('SIMPLE levels move a deferrable load out of the high levels, through the level-to-price mapping', () => {
    const job = (horizon: Horizon) => [new DeferrableLoad('dishwasher', { energyKwh: 2, maxPowerKw: 2, startSlot: 0, deadlineSlot: 4 }, horizon)];
    const schedule = deviceSchedule(event([signal('SIMPLE', 'level', [3, 2, 0, 1])]), job);
    expect(schedule.basis).toBe('SIMPLE');
    const kw = schedule.devices.get('dishwasher')!;
    expect(kw[2]).toBeCloseTo(2, 3);
    expect(kw[0]! + kw[1]! + kw[3]!).toBeCloseTo(0, 3);
    expect(() => deviceSchedule(event([signal('SIMPLE', 'level', [4, 0, 0, 0])]), job)).toThrow(/SIMPLE level 4 has no price/);
  });

  test('a LOAD_DISPATCH setpoint in W is tracked as far as the devices can', () => {
    // The battery ends where it started, so trackable setpoints add up to no energy.
    const dispatch: VenSignal = {
      ...signal('LOAD_DISPATCH', 'setpoint', [2500, 0, -1500, -1000]),
      itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'none', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
    };
    const schedule = deviceSchedule(event([dispatch]), (horizon) => [new Battery('battery', { capacityKwh: 10, maxChargeKw: 3, maxDischargeKw: 3, initialSocKwh: 5 }, horizon)]);
    expect(schedule.basis).toBe('LOAD_DISPATCH');
    [2.5, 0, -1.5, -1].forEach((kw, t) => expect(schedule.totalKw[t]).toBeCloseTo(kw, 2));
  });

  test('events it cannot schedule are refused with a typed error', () => {
    const refused = (e: VenEvent, devices = battery) => {
      try {
        deviceSchedule(e, devices);
      } catch (error) {
        expect(error).toBeInstanceOf(VenError);
        return (error as VenError).code + ' ' + (error as VenError).message;
      }
      throw new Error('not refused');
    };
    expect(refused(event([signal('BID_LOAD', 'setpoint', [1])]))).toMatch(/^OADR_ERR_VEN_SCHEDULE_IMPOSSIBLE .*no LOAD_DISPATCH, ELECTRICITY_PRICE or SIMPLE/);
    const open: VenSignal = { ...signal('ELECTRICITY_PRICE', 'price', [0.2]), intervals: [{ startMs: T0, durationMs: undefined, value: 0.2 }] };
    expect(refused(event([open]))).toMatch(/open-ended/);
    expect(refused(event([signal('LOAD_DISPATCH', 'delta', [1])]))).toMatch(/LOAD_DISPATCH of type delta/);
    expect(refused(event([signal('ELECTRICITY_PRICE', 'price', [0.2, 0.3])]), (horizon) => [new FixedLoad('x', { powerKw: 1 }, { ...horizon, slots: horizon.slots + 1 })])).toMatch(/event's horizon/);
    expect(refused(event([signal('ELECTRICITY_PRICE', 'price', [0.2, 0.3])]), () => [])).toMatch(/no devices/);
  });
});
