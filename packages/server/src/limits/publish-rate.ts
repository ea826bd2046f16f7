import type { Principal } from '../auth/principal.js';
import type { LimitsConfig } from '../config/config.js';
import { RateLimiter } from './rate-limiter.js';

/**
 * The publish rate limit, keyed by principal and counted in events. The API key is the backend's
 * own credential (the main publisher), so it has a limit of its own, unlimited by default; any
 * other publisher is limited by its JWT subject when it has one, else by its client IP.
 */
export class PublishRate {
  readonly #perPrincipal: RateLimiter;
  readonly #apiKey: RateLimiter;

  constructor(config: Pick<LimitsConfig, 'publishRatePerSecond' | 'publishBurst' | 'apiKeyPublishRatePerSecond'>) {
    this.#perPrincipal = new RateLimiter({ ratePerSecond: config.publishRatePerSecond, burst: config.publishBurst });
    // One second of its rate may come at once, and never less than the ordinary burst.
    const apiKeyBurst = Math.max(config.publishBurst, config.apiKeyPublishRatePerSecond);
    this.#apiKey = new RateLimiter({ ratePerSecond: config.apiKeyPublishRatePerSecond, burst: apiKeyBurst });
  }

  /** Spends `eventCount` tokens of the publisher's bucket; throws `rate_limited` (with `retryAfterMs`) when spent. */
  take(principal: Principal, clientIp: string, eventCount: number): void {
    if (principal.kind === 'api_key') {
      this.#apiKey.take('api_key', eventCount);
      return;
    }
    const key =
      principal.kind === 'jwt' && principal.subject !== undefined ? `sub:${principal.subject}` : `ip:${clientIp}`;
    this.#perPrincipal.take(key, eventCount);
  }
}
