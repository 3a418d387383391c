import type { Logger } from 'pino';
import type { VenRecord, VtnStore } from './store/VtnStore.js';

/** How often the times VENs were last seen reach the store; the stored value is this precise. */
export const LAST_SEEN_FLUSH_MS = 5_000;

/**
 * When each VEN last made an authenticated request. Polls come thousands a second, so a request only
 * writes to a map; the map goes to the store in one transaction every `flushMs` and on close. Within
 * this process `of` is exact; another process sharing the database sees it up to `flushMs` late.
 */
export class LastSeen {
  #pending = new Map<string, number>();
  /** The batch being written, still counted by `of` until its transaction is done. */
  #inFlight = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: VtnStore,
    private readonly log: Logger,
    private readonly flushMs = LAST_SEEN_FLUSH_MS,
  ) {}

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.flushMs);
    // The flush must not keep a process alive that has nothing else to do (tests, embedding).
    this.#timer.unref();
  }

  seen(venID: string, at: number): void {
    const known = this.#pending.get(venID);
    if (known === undefined || at > known) this.#pending.set(venID, at);
  }

  /** The newer of the stored time and the one still waiting for a flush. */
  of(ven: VenRecord): number | undefined {
    const times = [ven.lastSeenAt, this.#inFlight.get(ven.venID), this.#pending.get(ven.venID)].filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.max(...times);
  }

  /** Writes what accumulated; on failure it goes back to the map for the next flush. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#pending.size === 0) return;
      const batch = this.#pending;
      this.#pending = new Map();
      this.#inFlight = batch;
      try {
        await this.store.transaction((tx) => tx.recordLastSeen(batch));
      } catch (error) {
        for (const [venID, at] of batch) this.seen(venID, at);
        this.log.warn({ err: error, vens: batch.size }, 'could not record when VENs were last seen; retrying at the next flush');
      } finally {
        this.#inFlight = new Map();
      }
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is left (before the store closes). */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
