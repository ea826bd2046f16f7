/** Longest interval between watchdog reads while the push connection is down, in ms (seed 001's progressive backoff). */
export const WATCHDOG_MAX_INTERVAL_MS = 30_000;

/**
 * Seed 001's hybrid watchdog for one subscription: when it is armed and `staleAfterMs` pass without
 * a stream message, it calls `onStale` once (the subscription reads `events?after=`). It reads only
 * when a gap is possible, so an idle subscription on a healthy connection makes no request at all
 * (the subscription applies these rules, docs/protocol.md "Watchdog"):
 *
 * - W1 A delivered event arms it (the next message may be the one lost), and so does a push
 *   connection that is not open (its events may be going nowhere).
 * - W2 Heartbeats neither arm it nor postpone it: they prove the wire is up, not that no event
 *   was lost, so a message dropped before a heartbeat is still read within `staleAfterMs`.
 * - W3 A `live` marker that misses nothing disarms it: the subscriber is caught up.
 * - W4 A read that finds nothing disarms it while the connection is live; while the push
 *   connection is down it reads again, each empty read doubling the wait (up to 30 s).
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

  /** Whether a read is due after the current wait. */
  get isArmed(): boolean {
    return this.#timer !== undefined;
  }

  /** A stream message arrived: wait `staleAfterMs` again from now. */
  heard(): void {
    this.#intervalMs = this.#staleAfterMs;
    this.#restart();
  }

  /** A read found nothing while the connection is down: wait longer before the next one. */
  idle(): void {
    this.#intervalMs = Math.min(this.#intervalMs * 2, Math.max(WATCHDOG_MAX_INTERVAL_MS, this.#staleAfterMs));
    this.#restart();
  }

  /** Disarms it until the next `heard` or `idle`. */
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
