/**
 * Calls `beat` whenever a connection has sent nothing for `intervalMs` (DESIGN: a heartbeat every
 * 15 s when idle). `touch()` is called on every write; it only refreshes a timer, so it costs no
 * allocation on the delivery path.
 */
export class IdleHeartbeat {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(intervalMs: number, beat: () => void) {
    this.#timer = setTimeout(() => {
      beat();
      // `beat` may have stopped the heartbeat (its write failed and closed the connection).
      this.#timer?.refresh();
    }, intervalMs);
    // A heartbeat never keeps the process alive on its own.
    this.#timer.unref();
  }

  /** Marks the connection busy: the next heartbeat is due `intervalMs` from now. */
  touch(): void {
    this.#timer?.refresh();
  }

  /** Stops the heartbeat for good (the connection closed). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
