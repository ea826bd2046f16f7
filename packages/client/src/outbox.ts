import { HeraldError, type PublishResult } from '@herald/protocol';
import { BACKOFF_CAP_MS, resolveBackoffMs } from './backoff.js';
import { type HttpApi, resolveRetryAfterMs, toHeraldError } from './http-api.js';
import { RECONNECT_CAP_MS } from './status.js';
import type { StreamSubscription } from './subscription.js';
import type { PublishInput } from './types.js';

/** Default `outboxExpiryMs`: how long an optimistic publish may wait for the server, in ms (5 minutes). */
export const DEFAULT_OUTBOX_EXPIRY_MS = 300_000;

/** One optimistic publish waiting to be taken by the server. */
interface OutboxEntry {
  event: PublishInput & { id: string };
  /** The subscriptions of the stream at publish time, which show the event as pending. */
  subscriptions: StreamSubscription[];
  queuedAtMs: number;
  resolve(result: PublishResult): void;
  reject(error: HeraldError): void;
}

/** One stream's outbox: its events in publish order; only the first is ever in flight. */
interface StreamQueue {
  stream: string;
  entries: OutboxEntry[];
  isSending: boolean;
  /** Failed attempts of the first entry, for its backoff. */
  attempt: number;
  lastError: HeraldError | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Seed 004's offline outbox for optimistic publishes. The event shows as pending in the stream's
 * subscriptions at once and waits here until the server takes it under its original `id` (so a
 * retry of a publish that did land returns the original seq). Each stream's events leave in publish
 * order, one request at a time, so a retry never overtakes. A retryable failure (server down or
 * unreachable, 5xx, 429) keeps the event and retries it with backoff, and at once when the
 * connection or the network comes back; nothing is sent while the browser is offline. The event is
 * rolled back only on a definitive refusal (a non-retryable code) or once it has waited `expiryMs`.
 * A refusal concerns that event alone: the events after it are still sent, since the server judges
 * each on its own (one too large, say, says nothing of the next).
 */
export class Outbox {
  readonly #http: HttpApi;
  readonly #expiryMs: number;
  readonly #random: () => number;
  readonly #queues = new Map<string, StreamQueue>();
  #isOffline = false;

  constructor(http: HttpApi, expiryMs: number, random: () => number = Math.random) {
    this.#http = http;
    this.#expiryMs = expiryMs;
    this.#random = random;
  }

  /** Queues an optimistic publish; resolves when the server took it, rejects when it is rolled back. */
  add(
    stream: string,
    event: PublishInput & { id: string },
    subscriptions: StreamSubscription[],
  ): Promise<PublishResult> {
    for (const subscription of subscriptions) {
      subscription.addPending({ id: event.id, type: event.type, data: event.data, state: event.state });
    }
    return new Promise((resolve, reject) => {
      let queue = this.#queues.get(stream);
      if (!queue) {
        queue = { stream, entries: [], isSending: false, attempt: 0, lastError: undefined, timer: undefined };
        this.#queues.set(stream, queue);
      }
      queue.entries.push({ event, subscriptions, queuedAtMs: Date.now(), resolve, reject });
      if (queue.entries.length === 1) void this.#send(queue);
    });
  }

  /** The connection or the network is back: every stream waiting for a retry tries now. */
  wake(): void {
    for (const queue of this.#queues.values()) {
      // A rate limit is the server's answer, not the connection's: it still holds.
      if (queue.isSending || queue.entries.length === 0 || resolveRetryAfterMs(queue.lastError)) continue;
      queue.attempt = 0;
      void this.#send(queue);
    }
  }

  /** While the browser reports no network nothing is sent; when it is back, every stream tries at once. */
  setOffline(isOffline: boolean): void {
    this.#isOffline = isOffline;
    if (!isOffline) this.wake();
  }

  /** Drops every waiting publish (the client is closing): each is rolled back and its promise rejected. */
  close(): void {
    const error = new HeraldError('unavailable', 'the client was closed before the publish was sent');
    for (const queue of this.#queues.values()) {
      clearTimeout(queue.timer);
      for (const entry of queue.entries.splice(0)) this.#rollBack(entry, error);
    }
    this.#queues.clear();
  }

  async #send(queue: StreamQueue): Promise<void> {
    clearTimeout(queue.timer);
    const entry = queue.entries[0];
    if (!entry || queue.isSending) return;
    const waitedMs = Date.now() - entry.queuedAtMs;
    if (waitedMs >= this.#expiryMs) {
      const error = new HeraldError('unavailable', `not sent within ${this.#expiryMs} ms`, { cause: queue.lastError });
      this.#finish(queue, () => this.#rollBack(entry, error));
      return;
    }
    // Offline, only the expiry can move this stream on (until `online` wakes it).
    if (this.#isOffline) return this.#retryIn(queue, this.#expiryMs - waitedMs);
    queue.isSending = true;
    let result: PublishResult;
    try {
      result = await this.#http.publish(queue.stream, entry.event);
    } catch (thrown) {
      queue.isSending = false;
      if (queue.entries[0] === entry) this.#failed(queue, entry, toHeraldError(thrown));
      return;
    }
    queue.isSending = false;
    if (queue.entries[0] !== entry) return; // the client closed meanwhile
    const seq = result.events.find((published) => published.id === entry.event.id)?.seq ?? result.seq;
    this.#finish(queue, () => {
      for (const subscription of entry.subscriptions) subscription.acknowledgePending(entry.event.id, seq);
      entry.resolve(result);
    });
  }

  /**
   * A refusal rolls the event back; any other failure keeps it for a retry with backoff (never sooner
   * than a `rate_limited` answer's `Retry-After`), within its expiry.
   */
  #failed(queue: StreamQueue, entry: OutboxEntry, error: HeraldError): void {
    if (!error.retryable) {
      this.#finish(queue, () => this.#rollBack(entry, error));
      return;
    }
    queue.lastError = error;
    // Like the connection (status.ts I5): an unreachable server is retried within seconds.
    const capMs = error.code === 'unavailable' ? RECONNECT_CAP_MS : BACKOFF_CAP_MS;
    const delayMs = Math.max(resolveBackoffMs(queue.attempt++, capMs, this.#random()), resolveRetryAfterMs(error));
    this.#retryIn(queue, Math.min(delayMs, entry.queuedAtMs + this.#expiryMs - Date.now()));
  }

  #retryIn(queue: StreamQueue, delayMs: number): void {
    queue.timer = setTimeout(() => void this.#send(queue), delayMs);
  }

  /** The first entry is done (`settle` says how): the next one of the stream leaves. */
  #finish(queue: StreamQueue, settle: () => void): void {
    queue.entries.shift();
    queue.isSending = false;
    queue.attempt = 0;
    queue.lastError = undefined;
    settle();
    if (queue.entries.length > 0) void this.#send(queue);
    else this.#queues.delete(queue.stream);
  }

  #rollBack(entry: OutboxEntry, error: HeraldError): void {
    for (const subscription of entry.subscriptions) subscription.rollbackPending(entry.event.id);
    entry.reject(error);
  }
}
