/** Longest wait before a coalesced flush when there is no animation frame (Node, workers), in ms. */
export const FLUSH_FALLBACK_MS = 50;

type FrameScheduler = { requestAnimationFrame?: (callback: () => void) => number };

/**
 * Runs `flush` at most once per animation frame (or per 50 ms without one), however many times
 * `schedule` is called in between, so a UI under an event burst renders once per frame.
 */
export class Coalescer {
  readonly #flush: () => void;
  #isScheduled = false;
  #isCancelled = false;

  constructor(flush: () => void) {
    this.#flush = flush;
  }

  /** Requests a flush. */
  schedule(): void {
    if (this.#isScheduled || this.#isCancelled) return;
    this.#isScheduled = true;
    const run = () => {
      this.#isScheduled = false;
      if (!this.#isCancelled) this.#flush();
    };
    const raf = (globalThis as FrameScheduler).requestAnimationFrame;
    if (typeof raf === 'function') raf(run);
    else setTimeout(run, FLUSH_FALLBACK_MS);
  }

  /** Drops any pending flush for good. */
  cancel(): void {
    this.#isCancelled = true;
  }
}
