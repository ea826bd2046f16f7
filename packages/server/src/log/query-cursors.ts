import {
  encodeFeedEventJson,
  HeraldError,
  type HeraldEvent,
  isValidStreamName,
  parseIsoTime,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';
import type { HistoryQuery, LogHistoryPage } from './event-log.js';
import { takePage } from './read-page.js';

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

/**
 * The one member of a cursor object `{[key]: value}` as issued, or undefined for any other shape or
 * spelling. A cursor must be byte for byte the one the server would issue for its value: JSON.parse
 * and Buffer's base64url decoding forgive much (padding, whitespace, `2e0`, a repeated member whose
 * last copy wins), and a cursor read more loosely than it is written has many spellings of one
 * position, which a client comparing cursors as opaque strings (to drop a repeat) would not see as one.
 */
function decodeSingleMember(cursor: string, key: 'h' | 's'): unknown {
  const value = decode(cursor);
  const isIssuedShape =
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).join() === key;
  if (!isIssuedShape) return undefined;
  const member = (value as Record<string, unknown>)[key];
  return encode({ [key]: member }) === cursor ? member : undefined;
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
  const stream = decodeSingleMember(cursor, 's');
  // The cursor names the last stream shown, always a valid name; anything else was not issued here.
  if (!isValidStreamName(stream)) invalidCursor();
  return stream;
}

/** Validates and normalises a history query for a store. */
export function resolveHistoryQuery(query: HistoryQuery): ResolvedHistoryQuery {
  const { cursor, since, until, ...rest } = query;
  const resolved: ResolvedHistoryQuery = { ...rest };
  if (since !== undefined) resolved.since = parseIsoTime(since, 'since');
  if (until !== undefined) resolved.until = parseIsoTime(until, 'until');
  if (cursor !== undefined) {
    // Positions are the store's insertion order, from 1 up (SQLite AUTOINCREMENT, PostgreSQL
    // IDENTITY, the memory log's counter), so 0 is never issued.
    const position = decodeSingleMember(cursor, 'h');
    const isPosition = typeof position === 'number' && Number.isSafeInteger(position) && position >= 1;
    if (!isPosition) invalidCursor();
    resolved.afterPosition = position;
  }
  return resolved;
}

/**
 * Refuses a cursor beyond the last position the store ever issued (`readLastPosition`, positions
 * are never reused): a cursor of another deployment, or of a database since restored or wiped,
 * would otherwise skip every event until the log caught up with it, silently. A cursor at the head
 * stays valid after retention or a delete removed the events up to it. An ascending page that has
 * an event after the cursor proves it is within the log, so only other pages pay for the read.
 */
export async function assertCursorWithinLog(
  query: ResolvedHistoryQuery,
  rowCount: number,
  readLastPosition: () => number | Promise<number>,
): Promise<void> {
  const after = query.afterPosition;
  if (after === undefined || (query.order === 'asc' && rowCount > 0)) return;
  if (after <= (await readLastPosition())) return;
  throw new HeraldError(
    'invalid_request',
    "cursor is beyond the end of this server's event log: it was issued by another deployment or before the store was restored or wiped; start again without a cursor",
    { details: { path: 'cursor' } },
  );
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

/**
 * A history page from `limit + 1` rows in query order (see toStreamListPage), cut at the query's
 * `maxBytes` (takePage); `position` is the keyset. With `withCursors` (a feed page) each event
 * carries the cursor that resumes right after it, `nextCursor` is given whenever the page has an
 * event, last page or not, and `hasMore` says whether it was the last. A plain ascending page
 * carries `endCursor` besides: `nextCursor` stays absent on the last page (clients read pages
 * while it is present), so without it a client that read the history to its end would have no
 * position to follow live from.
 */
export function toHistoryPage(
  rows: Iterable<{ json: string; position: number }>,
  query: Pick<ResolvedHistoryQuery, 'limit' | 'order' | 'afterPosition' | 'withCursors' | 'maxBytes'>,
): LogHistoryPage {
  const { rows: page, hasMore } = takePage(rows, query.limit, query.maxBytes);
  const lastPosition = page.at(-1)?.position;
  if (query.withCursors) {
    const events = page.map((row) => JSON.parse(encodeFeedEventJson(row.json, encodeHistoryCursor(row.position))));
    return {
      events,
      hasMore,
      ...(lastPosition === undefined ? {} : { nextCursor: encodeHistoryCursor(lastPosition) }),
    };
  }
  // Right after the last event, else where the page started: the log holds nothing matching between.
  const endPosition = query.order === 'asc' ? (lastPosition ?? query.afterPosition) : undefined;
  return {
    events: page.map((row) => JSON.parse(row.json) as HeraldEvent),
    ...(hasMore ? { nextCursor: encodeHistoryCursor(lastPosition!) } : {}),
    ...(endPosition === undefined ? {} : { endCursor: encodeHistoryCursor(endPosition) }),
  };
}
