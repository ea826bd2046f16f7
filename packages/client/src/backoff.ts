/** First reconnect delay ceiling, in ms. */
export const BACKOFF_BASE_MS = 500;
/** Largest reconnect delay, in ms. */
export const BACKOFF_CAP_MS = 30_000;

/** The full-jitter delay of attempt `attempt` (from 0): `jitter` ∈ [0, 1) of min(capMs, base·2ⁿ), in ms. */
export function resolveBackoffMs(attempt: number, capMs: number, jitter: number): number {
  return Math.floor(jitter * Math.min(capMs, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16)));
}

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
    return resolveBackoffMs(this.#attempt++, BACKOFF_CAP_MS, this.#random());
  }

  /** Starts over from the base delay (after a stable connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
