/** First reconnect delay ceiling, in ms. */
export const BACKOFF_BASE_MS = 500;
/** Largest reconnect delay, in ms. */
export const BACKOFF_CAP_MS = 30_000;

/**
 * Exponential backoff with full jitter: attempt n waits a uniform random time in
 * [0, min(cap, base·2ⁿ)), so clients dropped together do not come back together. No attempt limit.
 */
export class Backoff {
  #attempt = 0;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** The delay before the next attempt, in ms; each call counts one attempt. */
  next(): number {
    const ceilingMs = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.#attempt, 16));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceilingMs);
  }

  /** Starts over from the base delay (after a stable connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
