import { type FeedFilter, matchesFeedFilter } from '@herald/protocol';
import type { Broker, BrokerStatus } from './broker.js';
import type { DeliveredEvent } from './delivered-event.js';
import { DEGRADED_POLL_INTERVAL_MS, type Hub, QUIET_RESYNC_INTERVAL_MS } from './hub.js';

/** One follower of a live feed (a FeedFollower, a held feed long-poll): told when it may have news. */
export interface FeedListener {
  readonly filter: FeedFilter;
  /** Something matching the filter may have committed: read the log after your cursor. */
  wake(): void;
}

/** Options of FeedWakeups. */
export interface FeedWakeupsOptions {
  hub: Pick<Hub, 'watchAll'>;
  broker: Pick<Broker, 'onStatus' | 'status' | 'canLoseAnnouncements'>;
  /** How often every listener is woken while the broker is degraded (ms, default the hub's 1000). */
  degradedPollIntervalMs?: number;
  /** How often every listener is woken while a lossy broker is up (ms, default the hub's 5000). */
  quietResyncIntervalMs?: number;
}

/**
 * The "something committed" signal of live feeds. A feed never takes its events from an
 * announcement: it re-reads the log after its cursor, so the log alone decides order and nothing
 * is lost or doubled across nodes. Announcements (local, or from other nodes through the broker)
 * only say when to read, and only to the listeners whose filter one of the announced events
 * matches. As in the Hub, announcements can be lost on a lossy broker or while it is degraded,
 * so every listener is then also woken on a timer: a lost announcement costs latency, never an event.
 */
export class FeedWakeups {
  #listeners = new Set<FeedListener>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #degradedPollIntervalMs: number;
  #quietResyncIntervalMs: number | undefined;
  #unsubscribe: (() => void)[];

  constructor(options: FeedWakeupsOptions) {
    this.#degradedPollIntervalMs = options.degradedPollIntervalMs ?? DEGRADED_POLL_INTERVAL_MS;
    if (options.broker.canLoseAnnouncements) {
      this.#quietResyncIntervalMs = options.quietResyncIntervalMs ?? QUIET_RESYNC_INTERVAL_MS;
    }
    this.#unsubscribe = [
      options.hub.watchAll((_stream, events) => this.#announced(events)),
      options.broker.onStatus((status) => this.#onBrokerStatus(status)),
    ];
    this.#onBrokerStatus(options.broker.status);
  }

  /** Registers a listener; returns its removal. */
  add(listener: FeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Number of listeners (feeds and held feed long-polls) on this node. */
  get size(): number {
    return this.#listeners.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    clearInterval(this.#timer);
    this.#listeners.clear();
  }

  #announced(events: readonly DeliveredEvent[]): void {
    if (events.length === 0) return;
    for (const listener of [...this.#listeners]) {
      if (events.some((delivered) => matchesFeedFilter(listener.filter, delivered.event))) listener.wake();
    }
  }

  #wakeAll(): void {
    for (const listener of [...this.#listeners]) listener.wake();
  }

  #onBrokerStatus(status: BrokerStatus): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (status === 'degraded') {
      this.#timer = setInterval(() => this.#wakeAll(), this.#degradedPollIntervalMs);
    } else {
      // Back up: what was announced while cut off is in the log.
      this.#wakeAll();
      if (this.#quietResyncIntervalMs === undefined) return;
      this.#timer = setInterval(() => this.#wakeAll(), this.#quietResyncIntervalMs);
    }
    this.#timer.unref();
  }
}
