import { randomUUID } from 'node:crypto';
import { HeraldError } from '@herald/protocol';
import { Redis } from 'ioredis';
import type { Announcement, Broker, BrokerStatus } from './broker.js';
import { encodeAnnouncementMessage, parseAnnouncementMessage } from './redis-broker-codec.js';

/** Options of the Redis broker. */
export interface RedisBrokerOptions {
  /** Pub/sub channel shared by every node of one deployment (default `herald:announcements`). */
  channel?: string;
  /** How long `createRedisBroker` waits for the first subscription, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /**
   * When Redis is not reachable within `connectTimeoutMs`: called, and the broker starts `degraded`
   * (it keeps reconnecting, and goes `up` once Redis is there), instead of `createRedisBroker`
   * rejecting. A node restarted during a Redis outage then serves, as its running siblings do.
   */
  onStartDegraded?: (error: Error) => void;
  /** Receives connection and publish errors; the broker itself recovers from them (default: ignored). */
  onError?: (error: Error) => void;
}

const DEFAULT_CHANNEL = 'herald:announcements';
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// Reconnect quickly (100 ms steps, capped at 1 s): while Redis is away every node polls the log,
// which costs more than a reconnect attempt per second.
const MAX_RECONNECT_DELAY_MS = 1_000;
const HEALTH_TIMEOUT_MS = 2_000;

function retryStrategy(attempt: number): number {
  return Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS);
}

/** Settles like `promise`, or rejects with `unavailable` after `timeoutMs`. */
async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HeraldError('unavailable', message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The scale-out broker: announcements travel over one Redis pub/sub channel to every node.
 *
 * - A node hands its own announcements straight to its listeners (no round trip through Redis, and
 *   local subscribers keep getting events while Redis is away) and skips their echo from Redis.
 * - Status is `up` only once the subscriber connection has (re)subscribed and the publisher is
 *   connected, so a hub that resyncs from the log on `up` cannot miss an announcement published in
 *   between: anything committed after the resync arrives on the channel.
 * - Publishes made while Redis is away wait in ioredis's offline queue and are sent on reconnect
 *   (they are dropped after ioredis's retry limit; the hubs' gap fill and resync cover that).
 *   `announce` never waits for Redis, so an outage never holds up a publish acknowledgement.
 */
export class RedisBroker implements Broker {
  readonly #node = randomUUID();
  readonly #channel: string;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #onError: (error: Error) => void;
  readonly #listeners = new Set<(announcement: Announcement) => void>();
  readonly #statusListeners = new Set<(status: BrokerStatus) => void>();
  #isSubscribed = false;
  #status: BrokerStatus = 'degraded';

  constructor(url: string, options: RedisBrokerOptions = {}) {
    this.#channel = options.channel ?? DEFAULT_CHANNEL;
    this.#onError = options.onError ?? (() => {});
    const connection = { retryStrategy };
    this.#publisher = new Redis(url, connection);
    this.#subscriber = new Redis(url, { ...connection, autoResubscribe: false });
    this.#publisher.on('ready', () => this.#updateStatus());
    this.#publisher.on('close', () => this.#updateStatus());
    this.#subscriber.on('ready', () => this.#subscribe());
    this.#subscriber.on('close', () => {
      this.#isSubscribed = false;
      this.#updateStatus();
    });
    this.#subscriber.on('message', (_channel: string, message: string) => this.#receive(message));
    for (const client of [this.#publisher, this.#subscriber]) client.on('error', (error) => this.#onError(error));
  }

  /** Redis pub/sub delivers at most once, and a publishing node can die between commit and announce. */
  readonly canLoseAnnouncements = true;

  get status(): BrokerStatus {
    return this.#status;
  }

  async announce(announcement: Announcement): Promise<void> {
    this.#deliver(announcement);
    const message = encodeAnnouncementMessage({ node: this.#node, announcement });
    this.#publisher.publish(this.#channel, message).catch((error: Error) => this.#onError(error));
  }

  onAnnouncement(listener: (announcement: Announcement) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onStatus(listener: (status: BrokerStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  async checkHealth(): Promise<void> {
    if (this.#status !== 'up') throw new HeraldError('unavailable', 'the Redis broker is not connected');
    await withTimeout(this.#publisher.ping(), HEALTH_TIMEOUT_MS, `Redis did not answer within ${HEALTH_TIMEOUT_MS} ms`);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#statusListeners.clear();
    this.#publisher.disconnect();
    this.#subscriber.disconnect();
  }

  #subscribe(): void {
    this.#subscriber.subscribe(this.#channel).then(
      () => {
        this.#isSubscribed = true;
        this.#updateStatus();
      },
      // A failed SUBSCRIBE means the connection is going away; the next `ready` tries again.
      (error: Error) => this.#onError(error),
    );
  }

  #receive(message: string): void {
    const decoded = parseAnnouncementMessage(message);
    if (decoded === null) {
      this.#onError(new Error(`ignored a malformed message on ${this.#channel}`));
      return;
    }
    if (decoded.node !== this.#node) this.#deliver(decoded.announcement);
  }

  #deliver(announcement: Announcement): void {
    for (const listener of this.#listeners) listener(announcement);
  }

  #updateStatus(): void {
    const status: BrokerStatus = this.#isSubscribed && this.#publisher.status === 'ready' ? 'up' : 'degraded';
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}

/**
 * Creates a RedisBroker for `redis://…` (or `rediss://…`) and resolves once it is subscribed;
 * rejects with `unavailable` when Redis cannot be reached within `connectTimeoutMs`, unless
 * `onStartDegraded` is given: then it resolves the broker `degraded`.
 */
export async function createRedisBroker(url: string, options: RedisBrokerOptions = {}): Promise<RedisBroker> {
  const broker = new RedisBroker(url, options);
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let removeListener = () => {};
  const isUp = new Promise<void>((resolve) => {
    removeListener = broker.onStatus((status) => status === 'up' && resolve());
  });
  try {
    await withTimeout(isUp, timeoutMs, `could not reach Redis within ${timeoutMs} ms`);
    return broker;
  } catch (error) {
    if (options.onStartDegraded) {
      options.onStartDegraded(error as Error);
      return broker;
    }
    await broker.close();
    throw error;
  } finally {
    removeListener();
  }
}
