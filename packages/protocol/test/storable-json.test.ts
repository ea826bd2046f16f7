import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertStorableJson, isStorableText, MAX_JSON_DEPTH } from '../src/storable-json.js';

const nested = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}1${']'.repeat(levels)}`);

describe('storable JSON', () => {
  it.each([
    ['a NUL', 'a\u0000b', false],
    ['a lone high surrogate', 'a\ud800', false],
    ['a lone low surrogate', '\udc00a', false],
    ['a reversed pair', '\udc00\ud800', false],
    ['a surrogate pair (an emoji)', 'ok 😀', true],
    ['plain text', 'job_started', true],
  ])('tells whether text with %s is storable', (_name, text, expected) => {
    expect(isStorableText(text)).toBe(expected);
  });

  it('accepts JSON nested exactly MAX_JSON_DEPTH levels and refuses one level more, naming the path', () => {
    expect(() => assertStorableJson(nested(MAX_JSON_DEPTH), 'data')).not.toThrow();
    expect(() => assertStorableJson(nested(MAX_JSON_DEPTH + 1), 'data')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('refuses JSON nested 100,000 levels without overflowing the stack', () => {
    expect(() => assertStorableJson(nested(100_000), 'data')).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it.each([
    ['a __proto__ member', '{"a":{"__proto__":{"x":1}}}', 'data.a.__proto__'],
    ['a NUL in a member name', '{"a\\u0000":1}', 'data.a\u0000'],
    ['a NUL in an array string', '{"a":["ok","\\u0000"]}', 'data.a[1]'],
  ])('refuses %s with invalid_request at its path', (_name, json, path) => {
    expect(() => assertStorableJson(JSON.parse(json), 'data')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { path } }),
    );
  });

  it('accepts any JSON whose strings are storable and whose members are not __proto__', () => {
    const storableString = fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('\u0000'));
    const value = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        storableString,
        fc.array(tie('json'), { maxLength: 4 }),
        fc.dictionary(
          storableString.filter((key) => key !== '__proto__'),
          tie('json'),
          { maxKeys: 4 },
        ),
      ),
    })).json;
    fc.assert(fc.property(value, (json) => assertStorableJson(json, 'data') === undefined));
  });
});
