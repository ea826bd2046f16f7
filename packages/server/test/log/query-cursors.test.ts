import { parseIsoTime, STREAM_NAME_PATTERN } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStreamCursor,
  encodeHistoryCursor,
  encodeStreamCursor,
  resolveHistoryQuery,
} from '../../src/log/query-cursors.js';

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const historyCursor = (cursor: string) => resolveHistoryQuery({ order: 'asc', limit: 5, cursor }).afterPosition;
const invalidRequest = expect.objectContaining({ code: 'invalid_request', details: { path: 'cursor' } });

/** Positions are the stores' insertion order, from 1 (SQLite AUTOINCREMENT, PostgreSQL IDENTITY, the memory log). */
const issuedPosition = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

/** Texts that JSON.parse reads as the issued cursor's JSON but that the server never writes. */
function nonCanonicalJson(json: string, key: string, member: string): string[] {
  return [
    ` ${json}`,
    `${json} `,
    `${json}\n`,
    `{ "${key}":${member}}`,
    `{"${key}" : ${member}}`,
    `{"${key}":${member},"${key}":${member}}`,
    `{"${key}":null,"${key}":${member}}`,
  ];
}

/** Other base64 spellings of the same bytes: padded, standard alphabet, or with a character base64url ignores. */
function nonCanonicalBase64(json: string): string[] {
  const bytes = Buffer.from(json);
  return [
    bytes.toString('base64'),
    `${bytes.toString('base64url')}=`,
    `${bytes.toString('base64url')}==`,
    `=${bytes.toString('base64url')}`,
  ].filter((text) => text !== bytes.toString('base64url'));
}

describe('query cursors', () => {
  it('round-trips any history position and stream name through an opaque base64url cursor', () => {
    fc.assert(
      fc.property(issuedPosition, fc.stringMatching(STREAM_NAME_PATTERN), (position, name) => {
        const cursor = encodeHistoryCursor(position);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(resolveHistoryQuery({ order: 'desc', limit: 5, cursor }).afterPosition).toBe(position);
        expect(decodeStreamCursor(encodeStreamCursor(name))).toBe(name);
      }),
    );
  });

  it('refuses every other spelling of an issued history cursor (canonical encoding only)', () => {
    fc.assert(
      fc.property(issuedPosition, (position) => {
        const json = `{"h":${position}}`;
        expect(encodeHistoryCursor(position)).toBe(base64url(json));
        const spellings = [
          ...nonCanonicalJson(json, 'h', String(position)),
          `{"h":${position}.0}`,
          `{"h":${position}e0}`,
          `{"h":${position}E+0}`,
          `{"h":${position * 10}e-1}`,
          `{"\\u0068":${position}}`,
        ].map(base64url);
        for (const cursor of [...spellings, ...nonCanonicalBase64(json)]) {
          expect(() => historyCursor(cursor), cursor).toThrow(invalidRequest);
        }
      }),
    );
  });

  it.each([
    ['position 0', { h: 0 }],
    ['position -0', '{"h":-0}'],
    ['position 2e0', '{"h":2e0}'],
    ['a repeated member', '{"h":2,"h":3}'],
    ['a trailing space', '{"h":2} '],
    ['a position beyond 2^53', `{"h":${2 ** 53}}`],
  ])('refuses the history cursor with %s', (_, value) => {
    const json = typeof value === 'string' ? value : JSON.stringify(value);
    expect(() => historyCursor(base64url(json))).toThrow(invalidRequest);
  });

  it('refuses the padded history cursor eyJoIjoyfQ== and takes eyJoIjoyfQ', () => {
    expect(() => historyCursor('eyJoIjoyfQ==')).toThrow(invalidRequest);
    expect(historyCursor('eyJoIjoyfQ')).toBe(2);
  });

  it('refuses every other spelling of an issued stream cursor', () => {
    fc.assert(
      fc.property(fc.stringMatching(STREAM_NAME_PATTERN), (name) => {
        const json = JSON.stringify({ s: name });
        const escaped = `{"s":"${name.replace(/[a-z]/i, (letter) => `\\u00${letter.charCodeAt(0).toString(16)}`)}"}`;
        const spellings = [...nonCanonicalJson(json, 's', JSON.stringify(name)), escaped]
          .filter((text) => text !== json)
          .map(base64url);
        for (const cursor of [...spellings, ...nonCanonicalBase64(json)]) {
          expect(() => decodeStreamCursor(cursor), cursor).toThrow(invalidRequest);
        }
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

  it('rounds a time between two milliseconds up to the next one, which every event time compares alike with', () => {
    expect(parseIsoTime('2026-01-01T00:00:00.9201Z', 'until')).toBe('2026-01-01T00:00:00.921Z');
    expect(parseIsoTime('2026-01-01T00:00:00.999000001+01:00', 'since')).toBe('2025-12-31T23:00:01.000Z');
    expect(parseIsoTime('2026-01-01T00:00:00.9200000Z', 'since')).toBe('2026-01-01T00:00:00.920Z');
    expect(parseIsoTime('2026-01-01T00:00:00.92Z', 'since')).toBe('2026-01-01T00:00:00.920Z');
  });

  it('reads every RFC 3339 spelling: lower-case t and z, and a fraction of any length (review finding)', () => {
    expect(parseIsoTime('2026-01-01t00:00:00z', 'since')).toBe('2026-01-01T00:00:00.000Z');
    expect(parseIsoTime('2026-01-01T00:00:00.1111111111Z', 'since')).toBe('2026-01-01T00:00:00.112Z');
    expect(parseIsoTime('2026-01-01T00:00:00.1110000000000Z', 'since')).toBe('2026-01-01T00:00:00.111Z');
  });

  it('rejects an unparsable time with invalid_request naming the field', () => {
    expect(() => parseIsoTime('yesterday', 'since')).toThrow(
      expect.objectContaining({ code: 'invalid_request', details: { path: 'since' } }),
    );
  });
});
