import {
  HeraldError,
  type HeraldEvent,
  type HistoryPage,
  isValidStreamName,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';
import type { HistoryQuery } from './event-log.js';

/**
 * Opaque cursors and query normalisation shared by the EventLog implementations. Cursors are
 * base64url JSON so clients treat them as opaque tokens, while a store can still decode its
 * keyset position from them (no offsets: a page boundary never shifts under concurrent appends).
 */

/** A history query with its times normalised and its cursor decoded. */
export interface ResolvedHistoryQuery extends Omit<HistoryQuery, 'cursor'> {
  /** Only events strictly after (asc) or before (desc) this insertion position. */
  afterPosition?: number;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function invalidCursor(): never {
  throw new HeraldError('invalid_request', 'cursor is not one this server issued', { details: { path: 'cursor' } });
}

/** The cursor of a history page that ends at the event stored at `position` (global insertion order). */
export function encodeHistoryCursor(position: number): string {
  return encode({ h: position });
}

/** The cursor of a stream list page that ends at stream `name`. */
export function encodeStreamCursor(name: string): string {
  return encode({ s: name });
}

/** The last stream name of the previous list page; throws `invalid_request` on a foreign cursor. */
export function decodeStreamCursor(cursor: string): string {
  const value = decode(cursor) as { s?: unknown } | undefined;
  // The cursor names the last stream shown, always a valid name; anything else was not issued here.
  if (!isValidStreamName(value?.s)) invalidCursor();
  return value.s;
}

// Times are ISO 8601 with four-digit years, the range every store can compare: PostgreSQL's
// timestamptz stops at 4713 BC and reads JavaScript's extended years (±YYYYYY) as errors
// (SQLSTATE 22008, 22009), so they are refused here rather than answered with a 500.
const EARLIEST_TIME_MS = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST_TIME_MS = Date.parse('9999-12-31T23:59:59.999Z');

/** Normalises an ISO 8601 time to the stored form (UTC, ms); throws `invalid_request` if unparsable or out of range. */
export function parseIsoTime(value: string, path: string): string {
  const timeMs = new Date(value).getTime();
  const isInRange = timeMs >= EARLIEST_TIME_MS && timeMs <= LATEST_TIME_MS;
  if (!isInRange) {
    throw new HeraldError('invalid_request', `${path} must be an ISO 8601 time in years 0001..9999`, {
      details: { path },
    });
  }
  return new Date(timeMs).toISOString();
}

/** Validates and normalises a history query for a store. */
export function resolveHistoryQuery(query: HistoryQuery): ResolvedHistoryQuery {
  const { cursor, since, until, ...rest } = query;
  const resolved: ResolvedHistoryQuery = { ...rest };
  if (since !== undefined) resolved.since = parseIsoTime(since, 'since');
  if (until !== undefined) resolved.until = parseIsoTime(until, 'until');
  if (cursor !== undefined) {
    const value = decode(cursor) as { h?: unknown } | undefined;
    if (!Number.isSafeInteger(value?.h)) invalidCursor();
    resolved.afterPosition = value?.h as number;
  }
  return resolved;
}

/**
 * Stream names use only ASCII characters below U+007F, so every name that starts with `prefix`
 * sorts in `[prefix, prefix + U+007F)`: a range the primary-key index answers, unlike LIKE
 * (which would also need escaping of `%` and `_`).
 */
export function prefixRange(prefix: string): [lowest: string, beyond: string] {
  return [prefix, `${prefix}\u007f`];
}

/**
 * A stream-list page from the snapshots a store read in name order, asking for `limit + 1`: the
 * extra one only says that there is more, and the cursor points after the last one shown.
 */
export function toStreamListPage(snapshots: StreamSnapshot[], limit: number): StreamListPage {
  const page = snapshots.slice(0, limit);
  const hasMore = snapshots.length > limit;
  return { streams: page, ...(hasMore ? { nextCursor: encodeStreamCursor(page.at(-1)!.stream) } : {}) };
}

/** A history page from `limit + 1` rows in query order (see toStreamListPage); `position` is the keyset. */
export function toHistoryPage(rows: { json: string; position: number }[], limit: number): HistoryPage {
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    events: page.map((row) => JSON.parse(row.json) as HeraldEvent),
    ...(hasMore ? { nextCursor: encodeHistoryCursor(page.at(-1)!.position) } : {}),
  };
}
