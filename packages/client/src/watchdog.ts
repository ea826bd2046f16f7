/** Longest interval between watchdog reads of a quiet stream, in ms (seed 001's progressive backoff). */
export const WATCHDOG_MAX_INTERVAL_MS = 30_000;

/**
 * Seed 001's hybrid watchdog for one subscription: after `staleAfterMs` without hearing anything
 * (event or heartbeat) it calls `onStale` once. Every message restarts the wait, so a healthy
 * connection never fires it. A read that finds nothing doubles the next wait (up to 30 s), so an
 * idle stream is not polled every few seconds forever.
 */
export class Watchdog {
  readonly #staleAfterMs: number;
  readonly #onStale: () => void;
  #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(staleAfterMs: number, onStale: () => void) {
    this.#staleAfterMs = staleAfterMs;
    this.#intervalMs = staleAfterMs;
    this.#onStale = onStale;
  }

  /** Something was heard: wait `staleAfterMs` again from now. */
  heard(): void {
    this.#intervalMs = this.#staleAfterMs;
    this.#restart();
  }

  /** A watchdog read found nothing new: wait longer before the next one. */
  idle(): void {
    this.#intervalMs = Math.min(this.#intervalMs * 2, Math.max(WATCHDOG_MAX_INTERVAL_MS, this.#staleAfterMs));
    this.#restart();
  }

  /** Stops watching until the next `heard` or `idle`. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #restart(): void {
    this.stop();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#onStale();
    }, this.#intervalMs);
  }
}
