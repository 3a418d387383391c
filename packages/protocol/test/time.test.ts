import fc from 'fast-check';
import {
  addDuration,
  durationToMs,
  formatDateTime,
  formatDuration,
  OadrInvalidArgumentError,
  parseDateTime,
  parseDuration,
  tryParseDuration,
} from '../src/index.js';

describe('RFC 5545 durations', () => {
  test.each([
    ['PT15M', 15 * 60_000],
    ['P1D', 86_400_000],
    ['-PT5M', -300_000],
    ['+PT1H30M', 5_400_000],
    ['P2W', 14 * 86_400_000],
    ['P1DT2H3M4S', 93_784_000],
    ['PT0S', 0],
    ['PT0M', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(durationToMs(text)).toBe(ms);
  });

  test.each(['', 'P', 'PT', '15M', 'PT15', 'P1H', 'PT-5M', 'P1.5D', 'pt15m', 'P1W2D'])('"%s" is refused with a typed error', (text) => {
    expect(tryParseDuration(text)).toBeUndefined();
    expect(() => parseDuration(text)).toThrow(OadrInvalidArgumentError);
    try {
      parseDuration(text);
    } catch (error) {
      expect((error as OadrInvalidArgumentError).code).toBe('OADR_ERR_DURATION_INVALID');
    }
  });

  test('years and months have no fixed length but apply on the calendar', () => {
    expect(() => durationToMs('P1M')).toThrow(/no fixed length/);
    expect(addDuration(Date.UTC(2026, 0, 31), 'P1M')).toBe(Date.UTC(2026, 2, 3));
    expect(addDuration(Date.UTC(2026, 0, 1), 'P1YT1H')).toBe(Date.UTC(2027, 0, 1, 1));
    expect(addDuration(Date.UTC(2026, 0, 1), '-P1D')).toBe(Date.UTC(2025, 11, 31));
  });

  test('formatting is the shortest form and round-trips for any whole number of seconds', () => {
    expect(formatDuration(15 * 60_000)).toBe('PT15M');
    expect(formatDuration(86_400_000)).toBe('P1D');
    expect(formatDuration(-300_000)).toBe('-PT5M');
    expect(formatDuration(0)).toBe('PT0S');
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (seconds) => {
        expect(durationToMs(formatDuration(seconds * 1000))).toBe(seconds * 1000);
      }),
    );
    expect(() => formatDuration(1500)).toThrow(OadrInvalidArgumentError);
  });
});

describe('xcal date-times', () => {
  test('UTC with Z, fractions, offsets and no zone', () => {
    expect(parseDateTime('2026-11-26T10:00:00Z')).toBe(Date.UTC(2026, 10, 26, 10));
    expect(parseDateTime('2026-11-26T10:00:00.123456Z')).toBe(Date.UTC(2026, 10, 26, 10, 0, 0, 123));
    expect(parseDateTime('2026-11-26T11:30:00+01:30')).toBe(Date.UTC(2026, 10, 26, 10));
    expect(parseDateTime('2026-11-26T05:00:00-05:00')).toBe(Date.UTC(2026, 10, 26, 10));
    expect(parseDateTime('2026-11-26T10:00:00')).toBe(Date.UTC(2026, 10, 26, 10));
  });

  test.each(['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-26 10:00:00Z', '2026-11-26T24:00:00Z', '2026-11-26T10:00Z', 'yesterday', '2026-11-26T10:00:00+15:00'])(
    '"%s" is refused with a typed error',
    (text) => {
      expect(() => parseDateTime(text)).toThrow(OadrInvalidArgumentError);
    },
  );

  test('formatting writes UTC with Z and round-trips', () => {
    expect(formatDateTime(Date.UTC(2026, 10, 26, 10))).toBe('2026-11-26T10:00:00Z');
    expect(formatDateTime(new Date(Date.UTC(2026, 10, 26, 10, 0, 0, 5)))).toBe('2026-11-26T10:00:00.005Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), (ms) => {
        expect(parseDateTime(formatDateTime(ms))).toBe(ms);
      }),
    );
    expect(() => formatDateTime(Number.NaN)).toThrow(OadrInvalidArgumentError);
  });
});
