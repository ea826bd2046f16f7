import { HeraldError } from '@herald/protocol';

/** Options of a RateLimiter. */
export interface RateLimiterOptions {
  /** Sustained requests per second per key (0 = unlimited). */
  ratePerSecond: number;
  /** Requests a key may make at once above the sustained rate. */
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
 * A token bucket per key (client IP): publishes over HTTP and WebSocket share it. `take` throws
 * `rate_limited` with `details.retryAfterMs`, which HTTP turns into a `Retry-After` header and
 * WebSocket into an error frame.
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

  /** Spends `cost` tokens of `key`'s bucket, or throws `rate_limited` when it has too few. */
  take(key: string, cost = 1): void {
    if (this.#ratePerMs === 0) return;
    const nowMs = this.#now();
    const bucket = this.#refill(key, nowMs);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return;
    }
    const retryAfterMs = Math.ceil((cost - bucket.tokens) / this.#ratePerMs);
    throw new HeraldError('rate_limited', 'too many publishes from this client; slow down', {
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
