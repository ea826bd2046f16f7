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
