import { OadrInvalidArgumentError } from './errors.js';

/** An RFC 5545 duration as 2.0b writes it (`PT15M`, `P1D`, `-PT5M`, `P2W`), split into its parts. */
export interface Duration {
  negative: boolean;
  weeks: number;
  /** Years and months have no fixed length: durationToMs refuses them, addDuration applies them on the calendar. */
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION_RE = /^([+-])?P(?:(\d+)W|(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/;

export const DURATION_ERROR = 'OADR_ERR_DURATION_INVALID';
export const DATETIME_ERROR = 'OADR_ERR_DATETIME_INVALID';

/** Parses a duration, or returns undefined when the text is not one. */
export function tryParseDuration(text: string): Duration | undefined {
  const m = DURATION_RE.exec(text);
  if (m === null) return undefined;
  const [, sign, w, y, mo, d, h, mi, s] = m;
  if ([w, y, mo, d, h, mi, s].every((part) => part === undefined)) return undefined;
  // "PT" with nothing after it names no time part: RFC 5545 requires one.
  if (text.endsWith('T')) return undefined;
  const n = (part: string | undefined): number => (part === undefined ? 0 : Number(part));
  return {
    negative: sign === '-',
    weeks: n(w),
    years: n(y),
    months: n(mo),
    days: n(d),
    hours: n(h),
    minutes: n(mi),
    seconds: n(s),
  };
}

/** Parses a duration; throws OADR_ERR_DURATION_INVALID naming the text when it is not one. */
export function parseDuration(text: string): Duration {
  const parsed = tryParseDuration(text);
  if (parsed === undefined) {
    throw new OadrInvalidArgumentError(DURATION_ERROR, `"${text}" is not an RFC 5545 duration (e.g. PT15M, P1D, -PT5M)`);
  }
  return parsed;
}

/** The length of a duration in milliseconds. Durations with years or months have none and throw. */
export function durationToMs(duration: string | Duration): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  if (d.years !== 0 || d.months !== 0) {
    throw new OadrInvalidArgumentError(
      DURATION_ERROR,
      'a duration with years or months has no fixed length; use addDuration with a start time',
    );
  }
  const ms = ((((d.weeks * 7 + d.days) * 24 + d.hours) * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return d.negative ? -ms : ms;
}

/** Adds a duration to an instant (epoch ms), applying years and months on the UTC calendar. */
export function addDuration(startMs: number, duration: string | Duration): number {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  const sign = d.negative ? -1 : 1;
  let t = startMs;
  if (d.years !== 0 || d.months !== 0) {
    const date = new Date(startMs);
    date.setUTCMonth(date.getUTCMonth() + sign * (d.years * 12 + d.months));
    t = date.getTime();
  }
  return t + durationToMs({ ...d, years: 0, months: 0 });
}

/** Formats milliseconds as the shortest 2.0b duration (`PT15M`, `P1D`, `PT0S`); whole seconds only. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || !Number.isInteger(ms / 1000)) {
    throw new OadrInvalidArgumentError(DURATION_ERROR, `${ms} ms is not a whole number of seconds`);
  }
  const sign = ms < 0 ? '-' : '';
  let s = Math.abs(ms) / 1000;
  if (s === 0) return 'PT0S';
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  const minutes = Math.floor(s / 60);
  s -= minutes * 60;
  const time = (hours ? `${hours}H` : '') + (minutes ? `${minutes}M` : '') + (s ? `${s}S` : '');
  return `${sign}P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

const DATETIME_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an xcal date-time into epoch milliseconds, or returns undefined. 2.0b sends UTC with `Z`;
 * offsets (`+01:00`) are accepted because real peers send them, and no zone at all is read as UTC.
 */
export function tryParseDateTime(text: string): number | undefined {
  const m = DATETIME_RE.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0${frac}`) * 1000);
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 30 February over into March; a round trip catches impossible days.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  if (zone === undefined || zone === 'Z') return utc;
  const offsetMinutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
  if (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4, 6)) > 59) return undefined;
  return utc - (zone.startsWith('-') ? -1 : 1) * offsetMinutes * 60_000;
}

/** Parses an xcal date-time into epoch ms; throws OADR_ERR_DATETIME_INVALID when it is not one. */
export function parseDateTime(text: string): number {
  const parsed = tryParseDateTime(text);
  if (parsed === undefined) {
    throw new OadrInvalidArgumentError(DATETIME_ERROR, `"${text}" is not an xcal date-time (e.g. 2026-11-26T10:00:00Z)`);
  }
  return parsed;
}

/** Formats an instant as 2.0b wants it on the wire: UTC with `Z`, milliseconds only when not zero. */
export function formatDateTime(instant: number | Date): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new OadrInvalidArgumentError(DATETIME_ERROR, `${String(instant)} is not a valid instant`);
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** True when the text is a date-time the official schema accepts: UTC `Z` or no zone, no offset. */
export function isStrictDateTime(text: string): boolean {
  return tryParseDateTime(text) !== undefined && !/[+-]\d{2}:\d{2}$/.test(text);
}
