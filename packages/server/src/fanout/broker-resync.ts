import type { Broker, BrokerStatus } from './broker.js';

/** How often listeners re-read the log while the broker is degraded (announcements may be lost), in ms. */
export const DEGRADED_POLL_INTERVAL_MS = 1000;

/**
 * How often, while a broker that can lose announcements is up, listeners re-read what heard
 * nothing since the last look, in ms. A lost announcement is otherwise noticed only when the next
 * one shows the hole, and a stream's last event (often its final one) has no next one. So such an
 * event reaches subscribers within two intervals, at the cost of one log read per quiet listener
 * per interval.
 */
export const QUIET_RESYNC_INTERVAL_MS = 5000;

/** Intervals of a BrokerResync. */
export interface BrokerResyncOptions {
  /** Re-read interval while the broker is degraded (ms, default DEGRADED_POLL_INTERVAL_MS). */
  degradedPollIntervalMs?: number | undefined;
  /** Quiet re-read interval while a lossy broker is up (ms, default QUIET_RESYNC_INTERVAL_MS). */
  quietResyncIntervalMs?: number | undefined;
}

/** What a BrokerResync tells its owner to do. */
export interface BrokerResyncHandlers {
  /** Re-read everything: the broker came back, or is degraded (every interval). */
  resyncAll(): void;
  /** Re-read what heard nothing lately (a lossy broker that is up, every interval). */
  resyncQuiet(): void;
}

/**
 * The re-read schedule of everything fed by announcements (the Hub's channels, live feeds), so
 * that losing an announcement costs latency, never an event: while the broker is degraded,
 * re-read every `degradedPollIntervalMs`; when it is back, re-read once at once; while a broker
 * that can lose announcements is up, re-read quiet listeners every `quietResyncIntervalMs`.
 */
export class BrokerResync {
  #timer: ReturnType<typeof setInterval> | undefined;
  #degradedPollIntervalMs: number;
  /** Set while the broker can lose announcements: the quiet re-read interval. */
  #quietResyncIntervalMs: number | undefined;
  #handlers: BrokerResyncHandlers;
  #unsubscribe: () => void;

  constructor(
    broker: Pick<Broker, 'onStatus' | 'status' | 'canLoseAnnouncements'>,
    options: BrokerResyncOptions,
    handlers: BrokerResyncHandlers,
  ) {
    this.#handlers = handlers;
    this.#degradedPollIntervalMs = options.degradedPollIntervalMs ?? DEGRADED_POLL_INTERVAL_MS;
    if (broker.canLoseAnnouncements) {
      this.#quietResyncIntervalMs = options.quietResyncIntervalMs ?? QUIET_RESYNC_INTERVAL_MS;
    }
    this.#unsubscribe = broker.onStatus((status) => this.#onBrokerStatus(status));
    this.#onBrokerStatus(broker.status);
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#timer);
  }

  #onBrokerStatus(status: BrokerStatus): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const handlers = this.#handlers;
    if (status === 'degraded') {
      this.#timer = setInterval(() => handlers.resyncAll(), this.#degradedPollIntervalMs);
    } else {
      // Back up: whatever was announced while we were cut off is in the log.
      handlers.resyncAll();
      if (this.#quietResyncIntervalMs === undefined) return;
      this.#timer = setInterval(() => handlers.resyncQuiet(), this.#quietResyncIntervalMs);
    }
    this.#timer.unref();
  }
}
