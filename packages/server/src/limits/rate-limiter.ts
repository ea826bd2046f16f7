import { HeraldError } from '@herald/protocol';

/** Options of a RateLimiter. */
export interface RateLimiterOptions {
  /** Sustained tokens (events) per second per key (0 = unlimited). */
  ratePerSecond: number;
  /** Tokens a key may spend at once above the sustained rate. */
  burst: number;
  /** Clock in ms (default Date.now), injectable for tests. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
}

// Buckets that have refilled completely carry no information; they are dropped once the map grows
// past this size, so a scan of many client IPs cannot grow memory without bound.
const PRUNE_THRESHOLD = 10_000;

/**
 * A token bucket per key (a principal: JWT subject, else client IP), spent one token per event so
 * that a batch of 1,000 costs what 1,000 single publishes cost. `take` throws `rate_limited` with
 * `details.retryAfterMs`, which HTTP turns into a `Retry-After` header and WebSocket into an error
 * frame carrying `retryAfterMs`.
 */
export class RateLimiter {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimiterOptions) {
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = options.burst;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Spends `cost` tokens of `key`'s bucket, or throws `rate_limited` when it has too few. A cost
   * above the burst (a batch larger than the bucket) is admitted once the bucket is full and
   * leaves it in debt, so the batch is paid for by the wait before the key's next publish.
   */
  take(key: string, cost = 1): void {
    if (this.#ratePerMs === 0) return;
    const nowMs = this.#now();
    const bucket = this.#refill(key, nowMs);
    const needed = Math.min(cost, this.#burst);
    if (bucket.tokens >= needed) {
      bucket.tokens -= cost;
      return;
    }
    const retryAfterMs = Math.ceil((needed - bucket.tokens) / this.#ratePerMs);
    throw new HeraldError('rate_limited', 'too many events published by this client; slow down', {
      details: { retryAfterMs },
    });
  }

  #refill(key: string, nowMs: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= PRUNE_THRESHOLD) this.#prune(nowMs);
      bucket = { tokens: this.#burst, updatedAtMs: nowMs };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (nowMs - bucket.updatedAtMs) * this.#ratePerMs);
    bucket.updatedAtMs = nowMs;
    return bucket;
  }

  #prune(nowMs: number): void {
    for (const [key, bucket] of this.#buckets) {
      const isFull = bucket.tokens + (nowMs - bucket.updatedAtMs) * this.#ratePerMs >= this.#burst;
      if (isFull) this.#buckets.delete(key);
    }
  }
}
