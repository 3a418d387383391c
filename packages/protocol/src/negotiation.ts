/**
 * The negotiation profile of oadr-kit over OpenADR 2.0b (DESIGN.md, "The negotiation over OpenADR"):
 * how one ADMM round travels as an ordinary oadrEvent and how a VEN's projected profile travels back
 * as an ordinary oadrReport. Any 2.0b peer can carry these messages; a VEN that cannot negotiate sees
 * an unknown x- signal and answers 460 (signal not supported), which is the truth.
 *
 * One event per VEN and session: eventID is the session id, modificationNumber the iteration,
 * one interval per slot. Signals: ELECTRICITY_PRICE/price (the net's price, currency per kWh),
 * LOAD_DISPATCH/setpoint (the VEN's target p - pbar, kW) and x-ADMM_PENALTY (rho, one interval over
 * the horizon, currency per kW² per slot). The VEN answers argmin f(p) + price·p·dt + (rho/2)‖p − target‖².
 * The agreed schedule is the last modification, marked by modificationReason "agreed".
 */
import { OadrInvalidArgumentError } from './errors.js';
import { eventStatusAt } from './conformance/eventStatus.js';
import type { CURRENCY_CODES, EiEvent, EiEventSignal, OadrEvent, OadrReport } from './schema/model.js';
import { durationToMs, formatDateTime, formatDuration, parseDateTime } from './time.js';

export const NEGOTIATION_PENALTY_SIGNAL = 'x-ADMM_PENALTY';
export const NEGOTIATION_REPORT_NAME = 'x-PROJECTED_USAGE';
const PRICE_ID = 'admm-price';
const TARGET_ID = 'admm-target';
const PENALTY_ID = 'admm-rho';
const AGREED = 'agreed';
const ITERATION = 'negotiation round';
const ERROR_CODE = 'OADR_ERR_NEGOTIATION_INVALID';

export interface NegotiationRound {
  /** The negotiation session; it is the eventID. */
  readonly sessionId: string;
  readonly venID: string;
  /** The round, from 0; it is the modificationNumber. */
  readonly iteration: number;
  /** The program the negotiation belongs to. */
  readonly marketContext: string;
  /** First slot's start and each slot's length (epoch ms, ms). */
  readonly startMs: number;
  readonly slotMs: number;
  /** Price of the VEN's net per slot, currency per kWh. */
  readonly price: readonly number[];
  /** The VEN's target profile per slot, kW (consumption positive). */
  readonly targetKw: readonly number[];
  /** The proximal penalty rho, currency per kW² per slot. */
  readonly rho: number;
  /** ISO 4217 code of the prices (default EUR). */
  readonly currency?: (typeof CURRENCY_CODES)[number];
  readonly createdMs: number;
  /** True for the agreed schedule that ends the negotiation: execute targetKw. */
  readonly agreed: boolean;
}

/** The oadrEvent that carries one round to one VEN. */
export function negotiationEvent(round: NegotiationRound): OadrEvent {
  const slots = round.price.length;
  if (slots === 0 || round.targetKw.length !== slots) {
    throw new OadrInvalidArgumentError(ERROR_CODE, `a round needs as many target values as prices (${round.targetKw.length} and ${slots}), at least one`);
  }
  for (const [name, values] of [['price', round.price], ['targetKw', round.targetKw]] as const) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new OadrInvalidArgumentError(ERROR_CODE, `${name}[${bad}] is ${values[bad]}, not a finite number`);
  }
  if (!(round.rho > 0 && Number.isFinite(round.rho))) throw new OadrInvalidArgumentError(ERROR_CODE, `rho must be a positive number, not ${round.rho}`);
  const slot = formatDuration(round.slotMs);
  const intervals = (values: readonly number[]) => values.map((value, i) => ({ duration: slot, uid: String(i), signalPayload: value }));
  const signals: EiEventSignal[] = [
    {
      intervals: intervals(round.price),
      signalName: 'ELECTRICITY_PRICE',
      signalType: 'price',
      signalID: PRICE_ID,
      itemBase: { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: round.currency ?? 'EUR', siScaleCode: 'none' } },
    },
    {
      intervals: intervals(round.targetKw),
      signalName: 'LOAD_DISPATCH',
      signalType: 'setpoint',
      signalID: TARGET_ID,
      itemBase: { powerReal: { itemDescription: 'RealPower', itemUnits: 'W', siScaleCode: 'k', powerAttributes: { hertz: 50, voltage: 230, ac: true } } },
    },
    {
      intervals: [{ duration: formatDuration(round.slotMs * slots), uid: '0', signalPayload: round.rho }],
      signalName: NEGOTIATION_PENALTY_SIGNAL,
      signalType: 'multiplier',
      signalID: PENALTY_ID,
    },
  ];
  const created = formatDateTime(round.createdMs);
  const eiEvent: EiEvent = {
    eventDescriptor: {
      eventID: round.sessionId,
      modificationNumber: round.iteration,
      modificationDateTime: created,
      modificationReason: round.agreed ? AGREED : ITERATION,
      marketContext: round.marketContext,
      createdDateTime: created,
      eventStatus: 'far',
    },
    eiActivePeriod: { properties: { dtstart: formatDateTime(round.startMs), duration: formatDuration(round.slotMs * slots) } },
    eiEventSignals: { eiEventSignal: signals },
    eiTarget: { venID: [round.venID] },
  };
  eiEvent.eventDescriptor.eventStatus = eventStatusAt(eiEvent, round.createdMs);
  return { eiEvent, oadrResponseRequired: 'always' };
}

/** True when the event is a negotiation round (it carries the penalty signal). */
export function isNegotiationEvent(event: EiEvent): boolean {
  return event.eiEventSignals.eiEventSignal.some((s) => s.signalName === NEGOTIATION_PENALTY_SIGNAL);
}

/**
 * Reads a negotiation round back from an event, or returns undefined for any other event. A round
 * with missing signals, mismatched interval counts or unequal slots is refused with a typed error:
 * a VEN answers such an event with 454 rather than guess.
 */
export function readNegotiationEvent(event: EiEvent): NegotiationRound | undefined {
  if (!isNegotiationEvent(event)) return undefined;
  const signal = (id: string, name: string): EiEventSignal => {
    const found = event.eiEventSignals.eiEventSignal.find((s) => s.signalID === id && s.signalName === name);
    if (found === undefined) throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${event.eventDescriptor.eventID} lacks its ${name} signal "${id}"`);
    return found;
  };
  const price = signal(PRICE_ID, 'ELECTRICITY_PRICE');
  const target = signal(TARGET_ID, 'LOAD_DISPATCH');
  const penalty = signal(PENALTY_ID, NEGOTIATION_PENALTY_SIGNAL);
  const slots = price.intervals.length;
  if (target.intervals.length !== slots) {
    throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${event.eventDescriptor.eventID}: ${slots} prices but ${target.intervals.length} targets`);
  }
  const slotMs = uniformSlot(price.intervals.map((i) => i.duration), event.eventDescriptor.eventID);
  if (uniformSlot(target.intervals.map((i) => i.duration), event.eventDescriptor.eventID) !== slotMs) {
    throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${event.eventDescriptor.eventID}: price and target slots differ`);
  }
  const rho = penalty.intervals[0]?.signalPayload ?? Number.NaN;
  if (!(rho > 0)) throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${event.eventDescriptor.eventID}: penalty ${rho} is not positive`);
  const venIDs = event.eiTarget.venID ?? [];
  const currency = price.itemBase?.currencyPerKWh?.itemUnits as NegotiationRound['currency'];
  return {
    sessionId: event.eventDescriptor.eventID,
    venID: venIDs[0] ?? '',
    iteration: event.eventDescriptor.modificationNumber,
    marketContext: event.eventDescriptor.marketContext,
    startMs: parseDateTime(event.eiActivePeriod.properties.dtstart),
    slotMs,
    price: price.intervals.map((i) => i.signalPayload),
    targetKw: target.intervals.map((i) => i.signalPayload),
    rho,
    ...(currency === undefined ? {} : { currency }),
    createdMs: parseDateTime(event.eventDescriptor.createdDateTime),
    agreed: event.eventDescriptor.modificationReason === AGREED,
  };
}

function uniformSlot(durations: readonly (string | undefined)[], eventID: string): number {
  const first = durations[0];
  if (first === undefined || durations.some((d) => d !== first)) {
    throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${eventID}: every interval needs the same duration`);
  }
  const ms = durationToMs(first);
  if (ms <= 0) throw new OadrInvalidArgumentError(ERROR_CODE, `negotiation event ${eventID}: slot length ${first} is not positive`);
  return ms;
}

export interface ProjectedProfile {
  readonly sessionId: string;
  readonly iteration: number;
  /** The VTN's report request this answers, and the VEN's report specifier and data point. */
  readonly reportRequestID: string;
  readonly reportSpecifierID: string;
  readonly rID: string;
  readonly startMs: number;
  readonly slotMs: number;
  /** The VEN's projected net consumption per slot, kW. */
  readonly profileKw: readonly number[];
  readonly createdMs: number;
}

/** The oadrReport (for an oadrUpdateReport) that answers a round with the VEN's projected profile. */
export function projectionReport(profile: ProjectedProfile): OadrReport {
  const bad = profile.profileKw.findIndex((v) => !Number.isFinite(v));
  if (profile.profileKw.length === 0 || bad >= 0) {
    throw new OadrInvalidArgumentError(ERROR_CODE, bad >= 0 ? `profileKw[${bad}] is ${profile.profileKw[bad]}, not a finite number` : 'a projection needs at least one slot');
  }
  const slot = formatDuration(profile.slotMs);
  return {
    dtstart: formatDateTime(profile.startMs),
    duration: formatDuration(profile.slotMs * profile.profileKw.length),
    intervals: profile.profileKw.map((kw, i) => ({
      dtstart: formatDateTime(profile.startMs + i * profile.slotMs),
      duration: slot,
      uid: String(i),
      oadrReportPayload: [{ rID: profile.rID, payloadBase: { payloadFloat: kw } }],
    })),
    // eiReportID ties the projection to the round it answers, whatever order reports arrive in.
    eiReportID: `${profile.sessionId}#${profile.iteration}`,
    reportRequestID: profile.reportRequestID,
    reportSpecifierID: profile.reportSpecifierID,
    reportName: NEGOTIATION_REPORT_NAME,
    createdDateTime: formatDateTime(profile.createdMs),
  };
}

/** Reads a projection back, or returns undefined for any other report. Malformed ones are refused. */
export function readProjectionReport(report: OadrReport): ProjectedProfile | undefined {
  if (report.reportName !== NEGOTIATION_REPORT_NAME) return undefined;
  const tag = /^(.*)#(\d+)$/.exec(report.eiReportID ?? '');
  if (tag === null) throw new OadrInvalidArgumentError(ERROR_CODE, `projection report "${report.eiReportID ?? ''}" does not name its session and round (session#round)`);
  const intervals = report.intervals ?? [];
  const first = intervals[0];
  if (first?.dtstart === undefined || report.dtstart === undefined) throw new OadrInvalidArgumentError(ERROR_CODE, 'a projection has timed intervals');
  const startMs = parseDateTime(report.dtstart);
  const slotMs = uniformSlot(intervals.map((i) => i.duration), tag[1]!);
  const profileKw = intervals.map((interval, i) => {
    const at = interval.dtstart === undefined ? Number.NaN : parseDateTime(interval.dtstart);
    const value = interval.oadrReportPayload[0]?.payloadBase.payloadFloat;
    if (at !== startMs + i * slotMs || value === undefined || interval.oadrReportPayload.length !== 1) {
      throw new OadrInvalidArgumentError(ERROR_CODE, `projection ${report.eiReportID}: interval ${i} is not the next slot with one value`);
    }
    return value;
  });
  return {
    sessionId: tag[1]!,
    iteration: Number(tag[2]),
    reportRequestID: report.reportRequestID,
    reportSpecifierID: report.reportSpecifierID,
    rID: first.oadrReportPayload[0]!.rID,
    startMs,
    slotMs,
    profileKw,
    createdMs: parseDateTime(report.createdDateTime),
  };
}
