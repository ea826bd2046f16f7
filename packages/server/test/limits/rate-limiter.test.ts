import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/limits/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with rate_limited and the time until the next token', () => {
    let nowMs = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, now: () => nowMs });
    for (let i = 0; i < 3; i++) limiter.take('1.2.3.4');
    expect(() => limiter.take('1.2.3.4')).toThrow(
      expect.objectContaining({ code: 'rate_limited', details: { retryAfterMs: 500 } }),
    );
    nowMs = 500;
    expect(() => limiter.take('1.2.3.4')).not.toThrow();
  });

  it('keeps a bucket per key', () => {
    const limiter = new RateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    limiter.take('a');
    expect(() => limiter.take('b')).not.toThrow();
    expect(() => limiter.take('a')).toThrow();
  });

  it('never refuses when the rate is 0 (unlimited)', () => {
    const limiter = new RateLimiter({ ratePerSecond: 0, burst: 1 });
    for (let i = 0; i < 100; i++) limiter.take('a');
  });

  it('spends one token per unit of cost, and lets a cost above the burst through a full bucket as debt', () => {
    let nowMs = 0;
    const limiter = new RateLimiter({ ratePerSecond: 10, burst: 20, now: () => nowMs });
    limiter.take('a', 50);
    // 30 tokens of debt plus the one wanted, at 10 per second.
    expect(() => limiter.take('a')).toThrow(expect.objectContaining({ details: { retryAfterMs: 3100 } }));
    nowMs = 3100;
    expect(() => limiter.take('a')).not.toThrow();
  });
});
