import type { NegotiationRound } from '@oadr-kit/protocol';
import type { StoredReportRequest } from './StateStore.js';

export interface NegotiatorHooks {
  /** Resolves when the VEN's exchange in progress with the VTN is over, so answers follow its replies. */
  settled(): Promise<unknown>;
  /** The application's projected profile for a round; rejects when there is none to send. */
  respond(round: NegotiationRound): Promise<readonly number[]>;
  /** The VTN's projection request, once one arrived. */
  request(): StoredReportRequest | undefined;
  send(round: NegotiationRound, profileKw: readonly number[], request: StoredReportRequest): Promise<void>;
  /** Hands the agreed schedule to the application; reports its own failures. */
  agreed(round: NegotiationRound): Promise<void>;
  failed(error: unknown): void;
}

interface Session {
  readonly id: string;
  /** The newest round not yet taken up. */
  pending: NegotiationRound | undefined;
  /** An answer waiting for the VTN's projection request. */
  held: { readonly round: NegotiationRound; readonly profileKw: readonly number[] } | undefined;
  running: boolean;
  work: Promise<void>;
}

/**
 * The VEN's side of negotiations: per session, one worker answers rounds in order, outside the
 * handling of VTN messages, so polls and pushes go on while the application computes. Rounds that
 * pile up while it computes collapse to the newest: the VTN has moved on from the older ones, and
 * answering one after a newer one would hand it a stale profile.
 */
export class Negotiator {
  readonly #hooks: NegotiatorHooks;
  readonly #sessions = new Map<string, Session>();

  constructor(hooks: NegotiatorHooks) {
    this.#hooks = hooks;
  }

  offer(round: NegotiationRound): void {
    let session = this.#sessions.get(round.sessionId);
    if (session === undefined) {
      session = { id: round.sessionId, pending: undefined, held: undefined, running: false, work: Promise.resolve() };
      this.#sessions.set(round.sessionId, session);
    }
    session.pending = round;
    // An answer still waiting for a report request belongs to an older round.
    session.held = undefined;
    this.#kick(session);
  }

  /** A projection request arrived: answers kept for want of one go out now. */
  requestArrived(): void {
    for (const session of this.#sessions.values()) if (session.held !== undefined) this.#kick(session);
  }

  /** The session's event was cancelled: nothing more is answered for it. */
  cancel(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  /** Drops every unanswered round and waits for the work in progress. */
  async stop(): Promise<void> {
    const work = [...this.#sessions.values()].map((session) => session.work);
    this.#sessions.clear();
    await Promise.all(work);
  }

  #kick(session: Session): void {
    if (session.running) return;
    session.running = true;
    session.work = this.#drain(session);
  }

  async #drain(session: Session): Promise<void> {
    for (;;) {
      await this.#hooks.settled();
      // From here to the next await nothing else runs: a round offered later finds `running` still set.
      const live = this.#sessions.get(session.id) === session;
      const round = live ? session.pending : undefined;
      if (round !== undefined) {
        session.pending = undefined;
        if (round.agreed) {
          await this.#hooks.agreed(round);
          continue;
        }
        let profileKw: readonly number[];
        try {
          profileKw = await this.#hooks.respond(round);
        } catch (error) {
          this.#hooks.failed(error);
          continue;
        }
        if (session.pending === undefined) session.held = { round, profileKw };
        continue;
      }
      const held = live ? session.held : undefined;
      const request = this.#hooks.request();
      if (held === undefined || request === undefined) {
        session.running = false;
        if (live && session.held === undefined) this.#sessions.delete(session.id);
        return;
      }
      session.held = undefined;
      try {
        await this.#hooks.send(held.round, held.profileKw, request);
      } catch (error) {
        this.#hooks.failed(error);
      }
    }
  }
}
