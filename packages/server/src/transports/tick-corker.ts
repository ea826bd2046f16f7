/** Anything whose writes can be held back and flushed as one: a net.Socket, a BatchedWriter. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Holds back each socket's writes until the end of the current tick, so a burst of events — a
 * batch publish, a catch-up page, many streams on one connection — leaves as one write per
 * socket instead of one per frame (after the first, see below). All held sockets are uncorked in
 * a single `process.nextTick`.
 *
 * A socket is corked at its second write in a tick, not its first: the first goes out at once.
 * When every publish is its own tick (a backend publishing one event per request), each socket
 * gets one frame per tick, and corking it would only queue that frame in the stream's buffer to
 * take it out again at the end of the tick — per socket and per event, the fan-out's largest cost
 * after the write itself. A burst costs one extra write per socket (its first frame).
 */
export class TickCorker {
  /** Written to this tick. */
  #touched = new Set<Corkable>();
  /** Written to more than once this tick, hence corked. */
  #corked = new Set<Corkable>();
  #isFlushScheduled = false;
  #flush = () => this.flush();

  /**
   * Called before each write to `target`: corks it from its second write of the tick until the end
   * of the tick. Returns whether this is its first write of the tick.
   */
  hold(target: Corkable): boolean {
    if (!this.#touched.has(target)) {
      this.#touched.add(target);
      if (!this.#isFlushScheduled) {
        this.#isFlushScheduled = true;
        process.nextTick(this.#flush);
      }
      return true;
    }
    if (!this.#corked.has(target)) {
      target.cork();
      this.#corked.add(target);
    }
    return false;
  }

  /** Uncorks every held socket now. */
  flush(): void {
    this.#isFlushScheduled = false;
    const corked = this.#corked;
    this.#touched.clear();
    if (corked.size === 0) return;
    this.#corked = new Set();
    for (const target of corked) target.uncork();
  }
}
