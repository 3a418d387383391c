/** Opaque handle of a timer set through a Clock. */
export type TimerHandle = object;

/**
 * Time as the VEN sees it. Injected so tests run deterministically and fast; the default is the
 * system clock with Node timers.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Date.now with Node timers; a started VEN keeps its process alive, as an embedded agent should. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, delayMs: number): TimerHandle => setTimeout(callback, Math.max(0, delayMs)),
  clearTimeout: (handle: TimerHandle): void => {
    clearTimeout(handle as NodeJS.Timeout);
  },
});
