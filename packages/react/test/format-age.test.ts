import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAge } from '../src/format-age.js';

const NOW = Date.parse('2026-01-01T12:00:00.000Z');

describe('formatAge', () => {
  it.each([
    [0, 'just now'],
    [4_999, 'just now'],
    [5_000, '5s ago'],
    [59_999, '59s ago'],
    [60_000, '1m ago'],
    [3_600_000, '1h ago'],
    [86_400_000 * 3, '3d ago'],
  ])('formats an age of %i ms as "%s"', (ageMs, expected) => {
    expect(formatAge(NOW - ageMs, NOW)).toBe(expected);
  });

  it('treats a moment in the future as just now', () => {
    expect(formatAge(NOW + 10_000, NOW)).toBe('just now');
  });

  it('never reports a younger age for an older moment', () => {
    const units = ['just now', 's', 'm', 'h', 'd'];
    const rank = (label: string) => units.findIndex((unit) => label === unit || label.endsWith(`${unit} ago`));
    fc.assert(
      fc.property(fc.nat(10 ** 10), fc.nat(10 ** 10), (a, b) => {
        const [younger, older] = [formatAge(NOW - Math.min(a, b), NOW), formatAge(NOW - Math.max(a, b), NOW)];
        const rankDifference = rank(older) - rank(younger);
        expect(rankDifference).toBeGreaterThanOrEqual(0);
        if (rankDifference === 0 && younger !== 'just now') {
          expect(Number.parseInt(older, 10)).toBeGreaterThanOrEqual(Number.parseInt(younger, 10));
        }
      }),
    );
  });
});
