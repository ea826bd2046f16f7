/** Anything whose writes can be held back and flushed as one: a wire's BatchedWriter. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Holds back each connection's writes until the end of the current tick, so a burst of events — a
 * batch publish, a catch-up page, many streams on one connection — leaves as one write per
 * connection instead of one per frame. A connection is corked at its first write in a tick and
 * uncorked with all the others in a single `process.nextTick`.
 */
export class TickCorker {
  #corked = new Set<Corkable>();
  #isFlushScheduled = false;
  #flush = () => this.flush();

  /** Corks `target` until the end of the tick; returns whether this is its first write of the tick. */
  hold(target: Corkable): boolean {
    if (this.#corked.has(target)) return false;
    target.cork();
    this.#corked.add(target);
    if (!this.#isFlushScheduled) {
      this.#isFlushScheduled = true;
      process.nextTick(this.#flush);
    }
    return true;
  }

  /** Uncorks every held connection now. */
  flush(): void {
    this.#isFlushScheduled = false;
    const corked = this.#corked;
    this.#corked = new Set();
    for (const target of corked) target.uncork();
  }
}
