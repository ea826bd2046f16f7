import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHttpChunk, sharedHttpChunk } from '../../src/transports/http-chunk.js';

describe('encodeHttpChunk', () => {
  it('frames a payload as an HTTP/1.1 chunk: size in hex, CRLF, data, CRLF', () => {
    expect(String(encodeHttpChunk(Buffer.from('data: x\n\n')))).toBe('9\r\ndata: x\n\n\r\n');
    expect(encodeHttpChunk(Buffer.alloc(300, 0x61)).subarray(0, 5).toString()).toBe('12c\r\n');
  });

  it('keeps any payload byte for byte, multi-byte UTF-8 included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (text) => {
        const payload = Buffer.from(text);
        const chunk = encodeHttpChunk(payload);
        const sizeLineEnd = chunk.indexOf('\r\n');
        expect(Number.parseInt(chunk.subarray(0, sizeLineEnd).toString(), 16)).toBe(payload.length);
        expect(chunk.subarray(sizeLineEnd + 2, chunk.length - 2).equals(payload)).toBe(true);
        expect(chunk.subarray(chunk.length - 2).toString()).toBe('\r\n');
      }),
      { numRuns: 50 },
    );
  });
});

describe('sharedHttpChunk', () => {
  it('builds the chunk once for the payload handed to every response in a row', () => {
    const payload = Buffer.from('id: 1\ndata: {}\n\n');
    expect(sharedHttpChunk(payload)).toBe(sharedHttpChunk(payload));
  });
});
