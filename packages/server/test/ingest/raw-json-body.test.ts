import { describe, expect, it } from 'vitest';
import { parseJsonObject } from '../../src/ingest/raw-json-body.js';

describe('parseJsonObject', () => {
  it('refuses a webhook body that is not UTF-8 with invalid_json, as every other route does, instead of storing U+FFFD', () => {
    // Well-formed JSON around the bad bytes (a lone surrogate's UTF-8 encoding, then FF FE).
    for (const bad of [Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff, 0xfe])]) {
      const body = Buffer.concat([Buffer.from('{"name":"a'), bad, Buffer.from('b"}')]);
      expect(() => parseJsonObject(body)).toThrow(expect.objectContaining({ code: 'invalid_json' }));
    }
  });

  it('refuses an integer JSON parsing would round, which a mapping could make a stream name of (review finding)', () => {
    // `ing:9007199254740993` and `ing:9007199254740992` would have become one stream.
    expect(() => parseJsonObject(Buffer.from('{"id":9007199254740993}'))).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { value: '9007199254740993' } }),
    );
    expect(parseJsonObject(Buffer.from('{"id":9007199254740991}'))).toEqual({ id: 9007199254740991 });
  });

  it('parses a UTF-8 object, 4-byte characters included', () => {
    expect(parseJsonObject(Buffer.from('{"name":"run 🚀 ü"}'))).toEqual({ name: 'run 🚀 ü' });
  });
});
