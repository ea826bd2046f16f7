import { parseIsoTime, STREAM_NAME_PATTERN } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStreamCursor,
  encodeHistoryCursor,
  encodeStreamCursor,
  resolveHistoryQuery,
} from '../../src/log/query-cursors.js';

describe('query cursors', () => {
  it('round-trips any history position and stream name through an opaque base64url cursor', () => {
    fc.assert(
      fc.property(fc.nat(), fc.stringMatching(STREAM_NAME_PATTERN), (position, name) => {
        const cursor = encodeHistoryCursor(position);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(resolveHistoryQuery({ order: 'desc', limit: 5, cursor }).afterPosition).toBe(position);
        expect(decodeStreamCursor(encodeStreamCursor(name))).toBe(name);
      }),
    );
  });

  it.each(['run:\u0000', '', 'x'.repeat(201)])('rejects a stream cursor naming the invalid stream name %j', (name) => {
    expect(() => decodeStreamCursor(encodeStreamCursor(name))).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it.each(['', 'not-a-cursor', Buffer.from('{"h":"1"}').toString('base64url'), encodeStreamCursor('run:a')])(
    'rejects the foreign history cursor %j with invalid_request',
    (cursor) => {
      expect(() => resolveHistoryQuery({ order: 'asc', limit: 5, cursor })).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    },
  );

  it('rejects a history cursor as a stream cursor', () => {
    expect(() => decodeStreamCursor(encodeHistoryCursor(3))).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('normalises since and until to UTC with milliseconds', () => {
    const resolved = resolveHistoryQuery({
      order: 'asc',
      limit: 1,
      since: '2025-03-01T12:00:00+02:00',
      until: '2025-03-02T00:00:00Z',
    });
    expect(resolved).toEqual({
      order: 'asc',
      limit: 1,
      since: '2025-03-01T10:00:00.000Z',
      until: '2025-03-02T00:00:00.000Z',
    });
  });

  it('rejects an unparsable time with invalid_request naming the field', () => {
    expect(() => parseIsoTime('yesterday', 'since')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { path: 'since' } }),
    );
  });
});
