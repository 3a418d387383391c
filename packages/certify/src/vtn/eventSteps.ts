/**
 * The steps event cases against a VTN are made of: ask the operator for an event (or a change of
 * it), wait for the distribute, hold the event to its description, answer it and require the VTN's
 * 200. A case that publishes one event and goes on from there is an `eventCase`.
 */
import type { EventStatus, MessageBody, OadrEvent } from '@oadr-kit/protocol';
import type { CertificationCase } from '../CertificationCase.js';
import { expectCode, type HarnessVen } from '../HarnessVen.js';
import { checkEvent, knownEventIDs, newEvents, nextDelivery } from './eventChecks.js';
import { ask, needsOperator } from './operatorPrompt.js';
import { ensureRegistered, respond, type DescribedEvent, type VtnUnderTest } from './VtnUnderTest.js';

type VtnCase = CertificationCase<VtnUnderTest>;
type Distribute = MessageBody<'oadrDistributeEvent'>;
const pull = { role: 'vtn', model: 'pull' } as const;

export const forVen = (event: DescribedEvent, venID: string): DescribedEvent => ({ ...event, target: { venID: [venID] } });

export interface Published {
  readonly ven: HarnessVen;
  readonly described: DescribedEvent;
  readonly distribute: Distribute;
  readonly event: OadrEvent;
  readonly eventID: string;
}

/** Asks the operator for the event, waits for it and holds it to the description at modification 0. */
export async function published(
  context: VtnUnderTest,
  describe: (venID: string) => DescribedEvent,
  signal: AbortSignal,
  status: EventStatus = 'far',
): Promise<Published> {
  const { ven } = context;
  await ensureRegistered(ven);
  const known = await knownEventIDs(ven);
  const described = describe(ven.venID());
  await ask(context, { kind: 'createEvent', venID: ven.venID(), event: described });
  const { distribute, events } = await newEvents(ven, known, 1, signal);
  const event = events[0]!;
  checkEvent(event, described, { venID: ven.venID(), modificationNumber: 0, status });
  return { ven, described, distribute, event, eventID: event.eiEvent.eventDescriptor.eventID };
}

/** Answers with oadrCreatedEvent (200, optIn unless said otherwise) and requires the VTN's 200. */
export async function accepted(ven: HarnessVen, distribute: Distribute, events: readonly OadrEvent[], options: Parameters<typeof respond>[3] = {}): Promise<void> {
  expectCode('oadrResponse to oadrCreatedEvent', await respond(ven, distribute, events, options), '200');
}

/** Asks for a change of the event and returns the modification that arrives, held to the new description. */
export async function modified(context: VtnUnderTest, eventID: string, described: DescribedEvent, modificationNumber: number, signal: AbortSignal): Promise<{ distribute: Distribute; event: OadrEvent }> {
  const { ven } = context;
  await ask(context, { kind: 'modifyEvent', venID: ven.venID(), eventID, event: described });
  const delivered = await nextDelivery(ven, eventID, signal);
  checkEvent(delivered.event, described, { venID: ven.venID(), modificationNumber, status: 'far' });
  return delivered;
}

/** A case that publishes one event and answers it; `then` goes on from there. */
export function eventCase(
  id: string,
  title: string,
  checks: string[],
  describe: (venID: string) => DescribedEvent,
  then: (context: VtnUnderTest, published: Published, signal: AbortSignal) => Promise<void>,
  status: EventStatus = 'far',
): VtnCase {
  return {
    id,
    title,
    ...pull,
    checks,
    unavailable: needsOperator,
    async run(context, signal) {
      await then(context, await published(context, describe, signal, status), signal);
    },
  };
}

export const acceptIt = async (_context: VtnUnderTest, { ven, distribute, event }: Published): Promise<void> => accepted(ven, distribute, [event]);

/** The same event with its first interval `minutes` longer (and the period with it). */
export function lengthened(event: DescribedEvent, minutes: number): DescribedEvent {
  const signals = event.signals.map((s) => ({
    ...s,
    intervals: s.intervals.map((interval, i) => (i === 0 ? { ...interval, duration: `PT${30 + minutes}M` } : interval)),
  }));
  const total = signals[0]!.intervals.length * 30 + minutes;
  return { ...event, activePeriod: { ...event.activePeriod, duration: `PT${total}M` }, signals };
}
