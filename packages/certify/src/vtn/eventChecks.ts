/**
 * What the event cases against a VTN share: learning which events the VTN already has for the harness
 * VEN, waiting for the distribute that carries an operator's change, holding each delivered event to
 * the description the operator was given, and answering it with oadrCreatedEvent.
 */
import { durationToMs, formatDateTime, formatDuration, parseDateTime, type EventStatus, type MessageBody, type OadrEvent } from '@oadr-kit/protocol';
import { CaseFailure } from '../CertificationCase.js';
import { HarnessVen } from '../HarnessVen.js';
import { pollFor, type DescribedEvent } from './VtnUnderTest.js';

type Distribute = MessageBody<'oadrDistributeEvent'>;

/** The market context the operator is asked to publish the harness's events in. */
export const MARKET_CONTEXT = 'http://certify.oadr-kit.example/market';

let slots = 0;

/**
 * A start time no other event of this run uses: events of one market context must not overlap
 * (rule 18), and every case's event stays live for the rest of the run.
 */
export function freeSlot(): number {
  slots++;
  const hour = 3_600_000;
  return Math.ceil(Date.now() / 60_000) * 60_000 + hour + slots * 2 * hour;
}

/** An ELECTRICITY_PRICE event in currency per kWh with one interval per payload, each `step` long. */
export function priceEvent(dtstart: number, payloads: readonly number[], step = 'PT30M'): DescribedEvent {
  return {
    marketContext: MARKET_CONTEXT,
    activePeriod: { dtstart: formatDateTime(dtstart), duration: formatDuration(payloads.length * durationToMs(step)) },
    signals: [
      {
        signalName: 'ELECTRICITY_PRICE',
        signalType: 'price',
        signalID: 'price',
        itemBase: { currencyPerKWh: { itemDescription: 'currencyPerKWh', itemUnits: 'USD', siScaleCode: 'none' } },
        intervals: payloads.map((signalPayload, i) => ({ duration: step, uid: String(i), signalPayload })),
      },
    ],
    target: {},
    responseRequired: 'always',
  };
}

/** The eventIDs the VTN has for the VEN now (oadrRequestEvent), so a new event can be told apart. */
export async function knownEventIDs(ven: HarnessVen): Promise<Set<string>> {
  const reply = await ven.exchange('EiEvent', { type: 'oadrRequestEvent', body: { eiRequestEvent: { requestID: HarnessVen.requestID(), venID: ven.venID() } } }, 'oadrDistributeEvent');
  return new Set((reply.oadrEvent ?? []).map((e) => e.eiEvent.eventDescriptor.eventID));
}

/** Waits for the distribute carrying `count` events the VTN did not have before; returns it and them. */
export async function newEvents(ven: HarnessVen, known: ReadonlySet<string>, count: number, signal: AbortSignal): Promise<{ distribute: Distribute; events: OadrEvent[] }> {
  const fresh = (d: Distribute) => (d.oadrEvent ?? []).filter((e) => !known.has(e.eiEvent.eventDescriptor.eventID));
  const distribute = await pollFor(ven, 'oadrDistributeEvent', signal, (d) => fresh(d).length >= count, ` with ${count} new event(s)`);
  const events = fresh(distribute);
  if (events.length !== count) throw new CaseFailure(`the distribute carries ${events.length} new events, the operator created ${count}`);
  return { distribute, events };
}

/** Waits for the next distribute carrying the event (what an operator's change of it causes). */
export async function nextDelivery(ven: HarnessVen, eventID: string, signal: AbortSignal): Promise<{ distribute: Distribute; event: OadrEvent }> {
  const distribute = await pollFor(ven, 'oadrDistributeEvent', signal, (d) => (d.oadrEvent ?? []).some((e) => e.eiEvent.eventDescriptor.eventID === eventID), ` carrying event ${eventID}`);
  return { distribute, event: (distribute.oadrEvent ?? []).find((e) => e.eiEvent.eventDescriptor.eventID === eventID)! };
}

function same(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new CaseFailure(`${what}: ${JSON.stringify(actual)}, the operator was asked for ${JSON.stringify(expected)}`);
}

function sameDuration(what: string, actual: string | undefined, expected: string | undefined): void {
  const ms = (d: string | undefined) => (d === undefined ? undefined : durationToMs(d));
  if (ms(actual) !== ms(expected)) throw new CaseFailure(`${what}: ${actual ?? 'missing'}, the operator was asked for ${expected ?? 'none'}`);
}

/**
 * Holds a delivered event to what the operator was asked to publish: modificationNumber (rules 4, 5),
 * status, market context, active period, every signal with its unit and intervals (rule 2: uids 0, 1,
 * ...), the baseline, the target naming this VEN or nobody, and oadrResponseRequired.
 */
export function checkEvent(received: OadrEvent, described: DescribedEvent, expected: { venID: string; modificationNumber: number; status: EventStatus }): void {
  const { eventDescriptor: d, eiActivePeriod, eiEventSignals, eiTarget } = received.eiEvent;
  const name = `event ${d.eventID}`;
  if (d.modificationNumber !== expected.modificationNumber) throw new CaseFailure(`${name} has modificationNumber ${d.modificationNumber}, expected ${expected.modificationNumber} (rules 4, 5)`);
  if (d.eventStatus !== expected.status) throw new CaseFailure(`${name} has eventStatus ${d.eventStatus}, expected ${expected.status}`);
  same(`${name} marketContext`, d.marketContext, described.marketContext);
  if (described.priority !== undefined) same(`${name} priority`, d.priority, described.priority);
  const period = eiActivePeriod.properties;
  if (parseDateTime(period.dtstart) !== parseDateTime(described.activePeriod.dtstart)) throw new CaseFailure(`${name} starts ${period.dtstart}, the operator was asked for ${described.activePeriod.dtstart}`);
  sameDuration(`${name} duration`, period.duration, described.activePeriod.duration);
  sameDuration(`${name} startafter`, period.tolerance?.startafter, described.activePeriod.tolerance?.startafter);
  sameDuration(`${name} x-eiRampUp`, period['x-eiRampUp'], described.activePeriod['x-eiRampUp']);
  same(`${name} oadrResponseRequired`, received.oadrResponseRequired, described.responseRequired);
  const signals = eiEventSignals.eiEventSignal;
  if (signals.length !== described.signals.length) throw new CaseFailure(`${name} carries ${signals.length} signals, the operator was asked for ${described.signals.length}`);
  for (const want of described.signals) {
    const got = signals.find((s) => s.signalName === want.signalName && s.signalType === want.signalType);
    if (got === undefined) throw new CaseFailure(`${name} carries no ${want.signalName}/${want.signalType} signal`);
    same(`${name} ${want.signalName} unit`, got.itemBase, want.itemBase);
    checkIntervals(`${name} ${want.signalName}`, got.intervals, want.intervals);
  }
  if (described.baseline !== undefined) {
    const baseline = eiEventSignals.eiEventBaseline;
    if (baseline === undefined) throw new CaseFailure(`${name} carries no baseline`);
    sameDuration(`${name} baseline duration`, baseline.duration, described.baseline.duration);
    checkIntervals(`${name} baseline`, baseline.intervals, described.baseline.intervals);
  }
  const targetsSomeone = Object.values(eiTarget).some((v) => Array.isArray(v) && v.length > 0);
  if (targetsSomeone && !(eiTarget.venID ?? []).includes(expected.venID)) {
    throw new CaseFailure(`${name} is targeted at ${JSON.stringify(eiTarget)}, which does not name VEN ${expected.venID}`);
  }
}

function checkIntervals(what: string, got: readonly { duration?: string; uid?: string; signalPayload: number }[], want: readonly { duration?: string; signalPayload: number }[]): void {
  if (got.length !== want.length) throw new CaseFailure(`${what} has ${got.length} intervals, the operator was asked for ${want.length}`);
  got.forEach((interval, i) => {
    if (interval.uid !== String(i)) throw new CaseFailure(`${what} interval ${i} has uid ${interval.uid ?? 'none'}, expected ${i} (rule 2)`);
    sameDuration(`${what} interval ${i} duration`, interval.duration, want[i]!.duration);
    if (interval.signalPayload !== want[i]!.signalPayload) throw new CaseFailure(`${what} interval ${i} carries ${interval.signalPayload}, the operator was asked for ${want[i]!.signalPayload}`);
  });
}
