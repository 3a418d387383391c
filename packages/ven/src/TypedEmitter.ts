import { EventEmitter } from 'node:events';

/**
 * EventEmitter with the event names and listener arguments checked by the compiler. A listener that
 * throws is reported on `error` (when the event is not `error` itself) and never breaks the VEN.
 */
export class TypedEmitter<Events extends { [E in keyof Events]: unknown[] }> {
  readonly #emitter = new EventEmitter();

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<E extends keyof Events & string>(event: E): number {
    return this.#emitter.listenerCount(event);
  }

  /** Resolves with the arguments of the next emission of `event`. */
  next<E extends keyof Events & string>(event: E): Promise<Events[E]> {
    return new Promise((resolve) => {
      this.#emitter.once(event, (...args: unknown[]) => resolve(args as Events[E]));
    });
  }

  protected emit<E extends keyof Events & string>(event: E, ...args: Events[E]): void {
    if (event === 'error' && this.#emitter.listenerCount('error') === 0) return;
    for (const listener of this.#emitter.listeners(event)) {
      try {
        (listener as (...a: unknown[]) => void)(...args);
      } catch (error) {
        if (event !== 'error') this.emit('error' as E, ...([error] as unknown as Events[E]));
      }
    }
  }
}
