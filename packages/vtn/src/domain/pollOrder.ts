import type { OutboxKind, OutboxMessage } from '../store/VtnStore.js';

/**
 * What an oadrPoll answers, in this order: a message that ends or renews the registration first
 * (everything after it would be answered under a registration about to change), then due events
 * (time-critical, and the only class that is recomputed rather than queued), then report and other
 * queued messages oldest first. An empty answer is an oadrResponse.
 */
export type PollAnswer = { kind: 'outbox'; message: OutboxMessage } | { kind: 'events' } | { kind: 'none' };

const REGISTRATION: ReadonlySet<OutboxKind> = new Set(['oadrCancelPartyRegistration', 'oadrRequestReregistration']);

export function choosePollAnswer(queued: readonly OutboxMessage[], eventsDue: boolean): PollAnswer {
  const byAge = [...queued].sort((a, b) => a.id - b.id);
  const registration = byAge.find((message) => REGISTRATION.has(message.kind));
  if (registration !== undefined) return { kind: 'outbox', message: registration };
  if (eventsDue) return { kind: 'events' };
  const next = byAge[0];
  return next === undefined ? { kind: 'none' } : { kind: 'outbox', message: next };
}
