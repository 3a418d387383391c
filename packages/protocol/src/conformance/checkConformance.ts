/**
 * The 2.0b conformance rules a schema cannot express: what the certification harness checks on every
 * payload beyond XSD validity (CHECKLIST sections 3 to 5). Rule ids are the spec's rule numbers where
 * implementations cite one (`rule-8`), otherwise a short name of the check.
 */
import { OadrInvalidArgumentError } from '../errors.js';
import type {
  EiEvent,
  EiEventSignal,
  ItemBase,
  MessageBody,
  OadrMessage,
  OadrReport,
  OadrReportRequest,
  SignalInterval,
} from '../schema/model.js';
import { durationToMs, parseDateTime, tryParseDuration } from '../time.js';
import { eventStatusAt } from './eventStatus.js';

export interface ConformanceFinding {
  /** Stable id of the rule, e.g. `rule-8` or `event-order`. */
  readonly rule: string;
  readonly message: string;
  /** Where in the message, as a path of spec element names. */
  readonly element: string;
}

export interface ConformanceContext {
  /** The receiver's clock (epoch ms): enables the checks of createdDateTime and currentValue. */
  readonly now?: number;
  /** Who sent the message, for the rules that apply to one side only. */
  readonly sender?: 'ven' | 'vtn';
  /** Allowed distance of createdDateTime from `now` (default 5 minutes, the harness's). */
  readonly clockToleranceMs?: number;
}

type Report = (rule: string, element: string, message: string) => void;

/** Checks a decoded message against the 2.0b conformance rules; an empty list means it passes. */
export function checkConformance(message: OadrMessage, context: ConformanceContext = {}): ConformanceFinding[] {
  const findings: ConformanceFinding[] = [];
  const report: Report = (rule, element, text) => findings.push({ rule, element: `${message.type}/${element}`.replace(/\/$/, ''), message: text });
  const body = message.body as { requestID?: string };
  if (typeof body.requestID === 'string' && body.requestID.trim() === '') report('rule-41', 'requestID', 'requestID must not be empty');
  try {
    checkByType(message, context, report);
  } catch (error) {
    // Schema-valid durations in years or months have no length to add up or compare (durationToMs).
    if (!(error instanceof OadrInvalidArgumentError)) throw error;
    report('fixed-duration', '', error.message);
  }
  return findings;
}

function checkByType(message: OadrMessage, context: ConformanceContext, report: Report): void {
  switch (message.type) {
    case 'oadrDistributeEvent':
      checkDistributeEvent(message.body, context, report);
      break;
    case 'oadrCreatedEvent':
      checkCreatedEvent(message.body, report);
      break;
    case 'oadrCreateOpt':
      checkCreateOpt(message.body, report);
      break;
    case 'oadrCreatePartyRegistration':
      checkCreatePartyRegistration(message.body, report);
      break;
    case 'oadrRegisterReport':
      checkRegisterReport(message.body, context, report);
      break;
    case 'oadrCreateReport':
    case 'oadrRegisteredReport':
      (message.body.oadrReportRequest ?? []).forEach((r, i) => checkReportRequest(r, `oadrReportRequest[${i}]`, report));
      break;
    case 'oadrUpdateReport':
      (message.body.oadrReport ?? []).forEach((r, i) => checkDataReport(r, `oadrReport[${i}]`, report));
      break;
    default:
      break;
  }
}

// ---- events ----

const STATUS_RANK: Record<string, number> = { active: 0, near: 1, far: 1, none: 1, completed: 2, cancelled: 2 };

function checkDistributeEvent(body: MessageBody<'oadrDistributeEvent'>, context: ConformanceContext, report: Report): void {
  const events = body.oadrEvent ?? [];
  const seen = new Set<string>();
  events.forEach(({ eiEvent }, i) => {
    const at = `oadrEvent[${i}]/eiEvent`;
    const id = eiEvent.eventDescriptor.eventID;
    if (seen.has(id)) report('event-id-unique', `${at}/eventDescriptor/eventID`, `eventID ${id} appears twice in one payload`);
    seen.add(id);
    checkEvent(eiEvent, at, context, report);
  });
  // Rule 15: active events first, then pending ones by start time, completed and cancelled last.
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!.eiEvent;
    const b = events[i]!.eiEvent;
    const ra = STATUS_RANK[a.eventDescriptor.eventStatus]!;
    const rb = STATUS_RANK[b.eventDescriptor.eventStatus]!;
    const pendingOutOfOrder = ra === 1 && rb === 1 && start(b) < start(a);
    if (rb < ra || pendingOutOfOrder) {
      report('rule-15', `oadrEvent[${i}]`, `event ${b.eventDescriptor.eventID} (${b.eventDescriptor.eventStatus}) must come before ${a.eventDescriptor.eventID} (${a.eventDescriptor.eventStatus})`);
    }
  }
}

function start(event: EiEvent): number {
  return parseDateTime(event.eiActivePeriod.properties.dtstart);
}

function checkEvent(event: EiEvent, at: string, context: ConformanceContext, report: Report): void {
  const { eventDescriptor, eiActivePeriod, eiEventSignals, eiTarget } = event;
  if ((eiTarget.venID?.length ?? 0) > 1) report('single-ven-target', `${at}/eiTarget`, 'an event targets at most one venID');
  if (context.now !== undefined) {
    const skew = Math.abs(parseDateTime(eventDescriptor.createdDateTime) - context.now);
    if (skew > (context.clockToleranceMs ?? 300_000)) {
      report('created-date-time', `${at}/eventDescriptor/createdDateTime`, `createdDateTime is ${Math.round(skew / 1000)} s from the receiver's clock`);
    }
  }
  if (eventDescriptor.eventStatus !== 'cancelled' && eventDescriptor.eventStatus !== 'none') {
    const expected = eventStatusAt(event, parseDateTime(eventDescriptor.createdDateTime));
    if (expected !== eventDescriptor.eventStatus) {
      report('event-status', `${at}/eventDescriptor/eventStatus`, `eventStatus is ${eventDescriptor.eventStatus} but the event is ${expected} at its createdDateTime`);
    }
  }
  const totalMs = durationToMs(eiActivePeriod.properties.duration);
  const signals = eiEventSignals.eiEventSignal;
  const ids = new Set<string>();
  let simple = 0;
  signals.forEach((signal, s) => {
    const where = `${at}/eiEventSignals/eiEventSignal[${s}]`;
    if (ids.has(signal.signalID)) report('signal-id-unique', `${where}/signalID`, `signalID ${signal.signalID} appears twice in the event`);
    ids.add(signal.signalID);
    if (signal.signalName === 'SIMPLE' || signal.signalName === 'simple') simple++;
    checkIntervals(signal.intervals, totalMs, `${where}/intervals`, 'rule-8', report);
    checkSignalKind(signal, where, report);
    checkCurrentValue(event, signal, where, context, report);
  });
  if (simple > 1) report('rule-7', `${at}/eiEventSignals`, 'an event carries at most one SIMPLE signal');
  const baseline = eiEventSignals.eiEventBaseline;
  if (baseline !== undefined) {
    checkIntervals(baseline.intervals, durationToMs(baseline.duration), `${at}/eiEventSignals/eiEventBaseline/intervals`, 'baseline-duration', report);
  }
}

/** Rules 2 and 8: uids count 0, 1, 2, ..., no dtstart, and the durations add up to the period's. */
function checkIntervals(intervals: readonly SignalInterval[], totalMs: number, at: string, sumRule: string, report: Report): void {
  let sum = 0;
  let complete = true;
  intervals.forEach((interval, i) => {
    if (interval.uid !== undefined && interval.uid !== String(i)) report('rule-2', `${at}[${i}]/uid`, `interval uid is "${interval.uid}", expected "${i}"`);
    if (interval.dtstart !== undefined) report('interval-dtstart', `${at}[${i}]/dtstart`, 'event signal and baseline intervals carry no dtstart');
    if (interval.duration === undefined) complete = false;
    else sum += durationToMs(interval.duration);
  });
  if (!complete) {
    if (intervals.length > 1) report(sumRule, at, 'every interval needs a duration');
  } else if (totalMs !== 0 && sum !== totalMs) {
    report(sumRule, at, `interval durations add up to ${sum / 1000} s, the period lasts ${totalMs / 1000} s`);
  }
}

type ItemKind = keyof ItemBase | 'none';
const POWER: readonly ItemKind[] = ['powerReal', 'powerApparent', 'powerReactive'];
const ENERGY: readonly ItemKind[] = ['energyReal', 'energyApparent', 'energyReactive'];

/** Which signal types and units go with which signal name (the harness's table, CHECKLIST 3.6). */
const SIGNAL_KINDS: Readonly<Record<string, Readonly<Record<string, readonly ItemKind[]>>>> = {
  SIMPLE: { level: ['none'] },
  simple: { level: ['none'] },
  ELECTRICITY_PRICE: { price: ['currencyPerKWh'], priceRelative: ['currencyPerKWh'], priceMultiplier: ['none'] },
  ENERGY_PRICE: { price: ['currencyPerKWh', 'currencyPerThm'], priceRelative: ['currencyPerKWh', 'currencyPerThm'], priceMultiplier: ['none'] },
  DEMAND_CHARGE: { price: ['currencyPerKW'], priceRelative: ['currencyPerKW'], priceMultiplier: ['none'] },
  BID_PRICE: { price: ['currency'] },
  BID_LOAD: { setpoint: POWER },
  BID_ENERGY: { setpoint: ENERGY },
  CHARGE_STATE: { setpoint: ENERGY, delta: ENERGY, multiplier: ['none'] },
  LOAD_DISPATCH: { setpoint: POWER, delta: POWER, level: [...POWER, 'none'], multiplier: ['none'] },
  LOAD_CONTROL: {
    'x-loadControlCapacity': ['none'],
    'x-loadControlLevelOffset': ['none'],
    'x-loadControlPercentOffset': ['none'],
    'x-loadControlSetpoint': ['none'],
  },
};

function checkSignalKind(signal: EiEventSignal, at: string, report: Report): void {
  const kinds = SIGNAL_KINDS[signal.signalName];
  if (kinds === undefined) return;
  const units = kinds[signal.signalType];
  if (units === undefined) {
    report('signal-type', `${at}/signalType`, `${signal.signalName} does not take signalType ${signal.signalType} (allowed: ${Object.keys(kinds).join(', ')})`);
    return;
  }
  const unit = (signal.itemBase === undefined ? 'none' : Object.keys(signal.itemBase)[0]) as ItemKind;
  if (!units.includes(unit)) {
    report('signal-unit', `${at}/itemBase`, `${signal.signalName} ${signal.signalType} takes ${units.map((u) => (u === 'none' ? 'no itemBase' : u)).join(' or ')}, not ${unit === 'none' ? 'no itemBase' : unit}`);
  }
  if (signal.signalName.toUpperCase() === 'SIMPLE') {
    signal.intervals.forEach((interval, i) => {
      if (![0, 1, 2, 3].includes(interval.signalPayload)) report('rule-9', `${at}/intervals[${i}]/signalPayload`, `SIMPLE levels are 0 to 3, not ${interval.signalPayload}`);
    });
  }
}

/** Rule 14: currentValue is the payload of the interval executing now, and 0 for SIMPLE when not active. */
function checkCurrentValue(event: EiEvent, signal: EiEventSignal, at: string, context: ConformanceContext, report: Report): void {
  if (signal.currentValue === undefined || context.now === undefined || event.eventDescriptor.eventStatus === 'cancelled') return;
  if (eventStatusAt(event, context.now) !== 'active') {
    if (signal.signalName.toUpperCase() === 'SIMPLE' && signal.currentValue !== 0) {
      report('rule-14', `${at}/currentValue`, `currentValue of a SIMPLE signal is 0 while the event is not active, not ${signal.currentValue}`);
    }
    return;
  }
  let offset = context.now - start(event);
  for (const interval of signal.intervals) {
    const length = interval.duration === undefined ? Number.POSITIVE_INFINITY : durationToMs(interval.duration);
    if (offset < length) {
      if (signal.currentValue !== interval.signalPayload) {
        report('rule-14', `${at}/currentValue`, `currentValue is ${signal.currentValue}, the interval executing now carries ${interval.signalPayload}`);
      }
      return;
    }
    offset -= length;
  }
}

function checkCreatedEvent(body: MessageBody<'oadrCreatedEvent'>, report: Report): void {
  const { eiResponse, eventResponses } = body.eiCreatedEvent;
  const success = eiResponse.responseCode.startsWith('2');
  if (eventResponses !== undefined && eventResponses.length > 0 && eiResponse.requestID !== '') {
    report('rule-42', 'eiCreatedEvent/eiResponse/requestID', 'the outer requestID stays empty when eventResponses are present; each eventResponse carries the distribute requestID');
  }
  if (success && (eventResponses === undefined || eventResponses.length === 0)) {
    report('rule-35', 'eiCreatedEvent/eventResponses', 'eventResponses are required unless the whole message reports an error');
  }
  eventResponses?.forEach((r, i) => {
    if (r.requestID.trim() === '') report('rule-42', `eiCreatedEvent/eventResponses[${i}]/requestID`, 'each eventResponse carries the requestID of the oadrDistributeEvent');
  });
}

// ---- opt ----

function checkCreateOpt(body: MessageBody<'oadrCreateOpt'>, report: Report): void {
  if (body.qualifiedEventID !== undefined) {
    if (body.vavailability !== undefined) report('opt-event-form', 'vavailability', 'an opt for an event carries no vavailability');
    if (body.marketContext !== undefined) report('opt-event-form', 'marketContext', 'an opt for an event carries no marketContext');
    return;
  }
  if (body.vavailability === undefined || body.vavailability.length === 0) {
    report('opt-schedule-form', 'vavailability', 'an opt schedule (no qualifiedEventID) needs at least one available period');
  }
  body.vavailability?.forEach((period, i) => {
    for (const key of ['tolerance', 'x-eiNotification', 'x-eiRampUp', 'x-eiRecovery'] as const) {
      if (period[key] !== undefined) report('opt-available-plain', `vavailability[${i}]/${key}`, `an available period carries no ${key}`);
    }
  });
}

// ---- registration ----

function checkCreatePartyRegistration(body: MessageBody<'oadrCreatePartyRegistration'>, report: Report): void {
  if (body.oadrTransportName === 'simpleHttp' && body.oadrHttpPullModel === undefined) {
    report('http-pull-model', 'oadrHttpPullModel', 'simpleHttp registrations state oadrHttpPullModel');
  }
  const address = body.oadrTransportAddress?.trim();
  if (address !== undefined && (address === '' || address.toLowerCase() === 'none' || address.toLowerCase() === 'null')) {
    report('transport-address', 'oadrTransportAddress', `"${body.oadrTransportAddress}" is not an address; a pull VEN omits the element`);
  }
  if (body.oadrHttpPullModel === false && address === undefined) {
    report('transport-address', 'oadrTransportAddress', 'a push VEN gives the address the VTN pushes to');
  }
}

// ---- reports ----

function checkRegisterReport(body: MessageBody<'oadrRegisterReport'>, context: ConformanceContext, report: Report): void {
  const reports = body.oadrReport ?? [];
  const specifiers = new Set<string>();
  reports.forEach((r, i) => {
    const at = `oadrReport[${i}]`;
    if (r.reportRequestID !== '0') report('rule-311', `${at}/reportRequestID`, `a metadata report's reportRequestID is 0, not "${r.reportRequestID}"`);
    if (r.duration === undefined) report('metadata-duration', `${at}/duration`, 'a metadata report states how much history it keeps (duration)');
    if (r.dtstart !== undefined || r.intervals !== undefined || r.eiReportID !== undefined) {
      report('metadata-shape', at, 'a metadata report carries no dtstart, intervals or eiReportID');
    }
    if (r.reportName !== undefined && !r.reportName.startsWith('METADATA_') && !r.reportName.startsWith('x-')) {
      report('metadata-name', `${at}/reportName`, `registered reports are METADATA_ reports, not ${r.reportName}`);
    }
    if (specifiers.has(r.reportSpecifierID)) report('specifier-unique', `${at}/reportSpecifierID`, `reportSpecifierID ${r.reportSpecifierID} appears twice`);
    specifiers.add(r.reportSpecifierID);
    const rIDs = new Set<string>();
    (r.oadrReportDescription ?? []).forEach((d, j) => {
      const where = `${at}/oadrReportDescription[${j}]`;
      if (rIDs.has(d.rID)) report('rid-unique', `${where}/rID`, `rID ${d.rID} appears twice in the report`);
      rIDs.add(d.rID);
      checkReportKind(r.reportName, d.reportType, d.itemBase, d.readingType, where, report);
      if (r.reportName?.startsWith('METADATA_TELEMETRY') && d.oadrSamplingRate === undefined) {
        report('sampling-rate', `${where}/oadrSamplingRate`, 'telemetry metadata states its sampling rate');
      }
    });
  });
  if (context.sender === 'ven' && reports.length > 0) {
    for (const required of ['METADATA_TELEMETRY_STATUS', 'METADATA_TELEMETRY_USAGE']) {
      if (!reports.some((r) => r.reportName === required)) report('ven-metadata', 'oadrReport', `a VEN that registers reports registers ${required}`);
    }
  }
}

function checkReportKind(name: string | undefined, reportType: string, itemBase: ItemBase | undefined, readingType: string, at: string, report: Report): void {
  const base = name?.replace(/^METADATA_/, '');
  const unit = itemBase === undefined ? undefined : Object.keys(itemBase)[0];
  if (base === 'TELEMETRY_USAGE' || base === 'HISTORY_USAGE') {
    if (reportType !== 'usage') report('report-kind', `${at}/reportType`, `${base} has reportType usage, not ${reportType}`);
    if (unit !== 'powerReal' && unit !== 'energyReal') report('report-kind', `${at}/itemBase`, `${base} reports powerReal or energyReal`);
    if (readingType !== 'Direct Read') report('report-kind', `${at}/readingType`, `${base} has readingType Direct Read, not ${readingType}`);
  } else if (base === 'TELEMETRY_STATUS') {
    if (reportType !== 'x-resourceStatus') report('report-kind', `${at}/reportType`, `TELEMETRY_STATUS has reportType x-resourceStatus, not ${reportType}`);
    if (unit !== undefined) report('report-kind', `${at}/itemBase`, 'TELEMETRY_STATUS has no itemBase');
    if (readingType !== 'x-notApplicable') report('report-kind', `${at}/readingType`, `TELEMETRY_STATUS has readingType x-notApplicable, not ${readingType}`);
  }
}

function checkReportRequest(request: OadrReportRequest, at: string, report: Report): void {
  const id = request.reportRequestID.trim();
  if (id === '' || id === '0') report('report-request-id', `${at}/reportRequestID`, `a report request needs its own reportRequestID, not "${request.reportRequestID}"`);
  const granularity = tryParseDuration(request.reportSpecifier.granularity);
  if (granularity?.negative === true) report('granularity', `${at}/reportSpecifier/granularity`, 'granularity is not negative');
  request.reportSpecifier.specifierPayload.forEach((p, i) => {
    if (p.readingType !== 'x-notApplicable') {
      report('request-reading-type', `${at}/reportSpecifier/specifierPayload[${i}]/readingType`, `requests use readingType x-notApplicable, not ${p.readingType}`);
    }
  });
}

/** Rules 314 and 342: how data report intervals place themselves in time. */
function checkDataReport(r: OadrReport, at: string, report: Report): void {
  if (r.reportName?.startsWith('METADATA_')) report('data-report-name', `${at}/reportName`, 'data reports name the report without METADATA_');
  if (r.oadrReportDescription !== undefined) report('data-report-shape', `${at}/oadrReportDescription`, 'data reports carry no oadrReportDescription');
  const intervals = r.intervals ?? [];
  const withStart = intervals.filter((i) => i.dtstart !== undefined).length;
  if (withStart !== 0 && withStart !== intervals.length) report('rule-342', `${at}/intervals`, 'interval dtstarts are given for all intervals or for none');
  const first = intervals[0];
  if (r.dtstart !== undefined && first?.dtstart !== undefined && parseDateTime(first.dtstart) !== parseDateTime(r.dtstart)) {
    report('rule-314', `${at}/dtstart`, 'the report dtstart is the first interval dtstart');
  }
  if (withStart === 0 && intervals.length > 1 && intervals.some((i) => i.duration === undefined)) {
    report('rule-342', `${at}/intervals`, 'several intervals without dtstart each need a duration');
  }
}
