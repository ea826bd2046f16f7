import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, Backoff } from '../src/backoff.js';

describe('Backoff', () => {
  it('draws each delay from [0, min(cap, base·2ⁿ)) whatever the random source', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 40 }),
        (draws) => {
          let i = 0;
          const backoff = new Backoff(() => draws[i] ?? 0);
          for (i = 0; i < draws.length; i += 1) {
            const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** i);
            const delay = backoff.next();
            expect(delay).toBeGreaterThanOrEqual(0);
            expect(delay).toBeLessThan(ceiling);
          }
        },
      ),
    );
  });

  it('reaches the 30 s cap and never exceeds it', () => {
    const backoff = new Backoff(() => 0.999_999);
    const delays = Array.from({ length: 100 }, () => backoff.next());
    expect(Math.max(...delays)).toBe(BACKOFF_CAP_MS - 1);
  });

  it('starts over from the base after reset', () => {
    const backoff = new Backoff(() => 0.5);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(BACKOFF_BASE_MS / 2);
  });
});
