import type { VtnCore } from './VtnCore.js';

/**
 * Rule 52: a cancellation that asks for a response (responseRequired always) is delivered again while
 * the VEN has not acknowledged it, `events.cancelResends` times at most, `events.cancelResendMs`
 * apart. A resend only makes the cancellation due once more, so it goes out as any due delivery
 * does: in the next distribute the VEN polls for, or pushed. Several VTN processes sharing a store may
 * sweep at once; the store's conditional update lets only one of them count each resend.
 */
export class CancellationResender {
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<string[]> | undefined;

  constructor(private readonly core: VtnCore) {}

  start(): void {
    const { cancelResends, cancelResendMs } = this.core.config.events;
    if (cancelResends === 0) return;
    // A quarter of the interval keeps a resend at most 25% late without polling the store needlessly.
    this.#timer = setInterval(() => void this.sweep(), Math.max(250, cancelResendMs / 4));
    this.#timer.unref();
  }

  /** Makes every overdue, unacknowledged cancellation due again; returns the VENs it concerns. */
  sweep(): Promise<string[]> {
    this.#sweeping ??= this.#sweep()
      .catch((error: unknown) => {
        this.core.log.error({ err: error }, 'resending unacknowledged cancellations failed');
        return [];
      })
      .finally(() => (this.#sweeping = undefined));
    return this.#sweeping;
  }

  async #sweep(): Promise<string[]> {
    const { cancelResends, cancelResendMs } = this.core.config.events;
    const now = this.core.clock();
    const venIDs = await this.core.store.transaction(async (tx) => {
      const overdue = await tx.listUnacknowledgedCancellations(now - cancelResendMs, cancelResends, now);
      const resent = new Set<string>();
      for (const { event, delivery } of overdue) {
        if (event.spec.responseRequired !== 'always') continue;
        if (await tx.resendDelivery(event.eventID, delivery.venID, event.modificationNumber)) resent.add(delivery.venID);
      }
      return [...resent];
    });
    if (venIDs.length > 0) {
      this.core.log.info({ venIDs: venIDs.length }, 'resending unacknowledged cancellations');
      this.core.onWork(venIDs);
    }
    return venIDs;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }
}
