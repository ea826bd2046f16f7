import { describe, expect, it } from 'vitest';
import { parsePresenceLabel, resolveServerFrame } from '../src/index.js';

describe('parsePresenceLabel', () => {
  it.each([
    ['a right-to-left override (U+202E)', 'admin\u202Etxt.exe'],
    ['a zero-width space (U+200B)', 'ali\u200Bce'],
    ['a left-to-right isolate (U+2066)', '\u2066bob\u2069'],
    ['a byte order mark (U+FEFF)', '\uFEFFcarol'],
    ['a soft hyphen (U+00AD)', 'da\u00ADve'],
    ['a line separator (U+2028)', 'eve\u2028mallory'],
    ['a lone surrogate', 'x\uD800y'],
    ['a control character', 'a\u0007b'],
  ])('refuses %s with invalid_request', (_what, label) => {
    expect(() => parsePresenceLabel(label, 'label')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { path: 'label' } }),
    );
  });

  it.each([
    ['spaces only', '   '],
    ['a no-break space alone (U+00A0)', '\u00A0'],
    ['an ideographic space (U+3000)', '\u3000\u3000'],
    ['the Hangul filler (U+3164)', '\u3164'],
    ['the Hangul choseong and jungseong fillers (U+115F, U+1160)', '\u115F\u1160'],
    ['the halfwidth Hangul filler (U+FFA0)', '\uFFA0'],
    ['the braille blank (U+2800)', '\u2800\u2800'],
    ['a variation selector alone (U+FE0F)', '\uFE0F'],
    ['blanks of several kinds', ' \u3164\u2800\u3000\u00A0'],
  ])('refuses a label with no visible character: %s', (_what, label) => {
    expect(() => parsePresenceLabel(label, 'label')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { path: 'label' } }),
    );
  });

  it('counts 64 characters as code points, an emoji one, and trims nothing', () => {
    expect(parsePresenceLabel('🚀'.repeat(64), 'label')).toBe('🚀'.repeat(64));
    expect(parsePresenceLabel('x'.repeat(64), 'label')).toBe('x'.repeat(64));
    expect(() => parsePresenceLabel('🚀'.repeat(65), 'label')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(() => parsePresenceLabel('x'.repeat(65), 'label')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
    expect(parsePresenceLabel(' bob\u3164 ', 'label')).toBe(' bob\u3164 ');
    expect(parsePresenceLabel('❤\uFE0F', 'label')).toBe('❤\uFE0F');
  });

  it('takes visible text in any script, emoji included', () => {
    for (const label of ['ops-dashboard', 'Zoë', '東京 チーム', 'שלום', '🚀 deploy', 'a b']) {
      expect(parsePresenceLabel(label, 'label')).toBe(label);
    }
    expect(parsePresenceLabel(undefined, 'label')).toBeUndefined();
  });
});

describe('presence frames', () => {
  it('carry namesTruncated when the server listed only the first names', () => {
    const frame = { op: 'presence', stream: 'run:a', count: 500, names: ['a'], namesTruncated: true };
    expect(resolveServerFrame(frame)).toEqual(frame);
    expect(resolveServerFrame({ ...frame, namesTruncated: 'yes' })).toBeUndefined();
  });
});
