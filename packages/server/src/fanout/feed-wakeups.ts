import { type FeedFilter, matchesFeedFilter } from '@herald/protocol';
import type { Broker } from './broker.js';
import { BrokerResync } from './broker-resync.js';
import type { DeliveredEvent } from './delivered-event.js';
import type { Hub } from './hub.js';

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
  #resync: BrokerResync;
  #unsubscribe: () => void;

  constructor(options: FeedWakeupsOptions) {
    this.#unsubscribe = options.hub.watchAll((_stream, events) => this.#announced(events));
    // A follower is never told which of its reads found nothing, so "quiet" ones are all of them.
    const wakeAll = () => this.#wakeAll();
    this.#resync = new BrokerResync(options.broker, options, { resyncAll: wakeAll, resyncQuiet: wakeAll });
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
    this.#unsubscribe();
    this.#resync.close();
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
}
