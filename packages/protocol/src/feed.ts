import { HeraldError } from './errors.js';
import type { HeraldEvent } from './event.js';
import { parseIsoTime } from './iso-time.js';
import { isValidEventType, isValidStreamPrefix, MAX_TAGS_PER_EVENT } from './names.js';
import { assertStreamName, assertTag } from './validate.js';

/**
 * The live filtered feed (docs/protocol.md "Live feed"): the history query `GET /v1/events`
 * followed live, across streams, in the global commit order the history already uses. Its
 * position is the history query's opaque cursor: every delivered event carries the cursor that
 * resumes right after it, and any `nextCursor` of an ascending history page is a valid start.
 */

/** What a feed follows: every event matching all the filters given (none = every readable event). */
export interface FeedFilter {
  /** One stream. */
  stream?: string;
  /** Streams whose name starts with this. */
  prefix?: string;
  /** Event types, any of which matches. */
  types?: string[];
  /** Tags, all of which must match (`tag.K=V` over HTTP). */
  tags?: Record<string, string>;
  /** Events whose `time` is at or after this ISO 8601 date-time with a zone. */
  since?: string;
  /** Events whose `time` is before this ISO 8601 date-time with a zone. */
  until?: string;
}

/** An event as a feed delivers it: with the cursor that resumes right after it. */
export type FeedEvent = HeraldEvent & { cursor: string };

/**
 * A feed page (`GET /v1/events?wait=`): the events after the request's cursor, in commit order.
 * `nextCursor` is where the next request resumes; absent only when the request had no cursor and
 * nothing matched yet (the next request then starts from the beginning again, losing nothing).
 */
export interface FeedPage {
  events: FeedEvent[];
  nextCursor?: string;
}

/** A type filter naming more types than this is refused: it is a mistake, not a query. */
export const MAX_TYPES_PER_FILTER = 100;

/** Feed ids a WebSocket client gives its `follow`s (its own names, echoed on every frame of the feed). */
export const FEED_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Longest cursor a client may send: cursors this server issues are far shorter. */
export const MAX_CURSOR_LENGTH = 512;

/** Whether `feed` is a valid WebSocket feed id. */
export function isValidFeedId(feed: unknown): feed is string {
  return typeof feed === 'string' && FEED_ID_PATTERN.test(feed);
}

function invalid(message: string, path: string): never {
  throw new HeraldError('invalid_request', message, { details: { path } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws `invalid_request` unless `types` is a list of 1..MAX_TYPES_PER_FILTER valid event types. */
export function assertFeedTypes(types: readonly unknown[], path: string): asserts types is string[] {
  const isValid = types.length > 0 && types.length <= MAX_TYPES_PER_FILTER && types.every(isValidEventType);
  if (!isValid) {
    invalid(`${path} must be 1 to ${MAX_TYPES_PER_FILTER} event types (^[A-Za-z0-9_.:-]{1,100}$)`, path);
  }
}

/** Validates a feed filter as a WebSocket `follow` carries it (`path`: where it sits in the frame). */
export function parseFeedFilter(raw: unknown, path = 'filter'): FeedFilter {
  if (raw === undefined) return {};
  if (!isPlainObject(raw)) invalid(`${path} must be an object`, path);
  const filter: FeedFilter = {};
  for (const [field, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const at = `${path}.${field}`;
    switch (field) {
      case 'stream':
        assertStreamName(value, at);
        filter.stream = value;
        break;
      case 'prefix':
        if (!isValidStreamPrefix(value)) invalid(`${at} must be the start of a stream name`, at);
        if (value !== '') filter.prefix = value;
        break;
      case 'types':
        if (!Array.isArray(value)) invalid(`${at} must be an array of event types`, at);
        assertFeedTypes(value, at);
        filter.types = value;
        break;
      case 'tags': {
        if (!isPlainObject(value)) invalid(`${at} must be an object of strings`, at);
        const entries = Object.entries(value);
        if (entries.length > MAX_TAGS_PER_EVENT) invalid(`filters may name at most ${MAX_TAGS_PER_EVENT} tags`, at);
        for (const [key, tag] of entries) assertTag(key, tag, at);
        if (entries.length > 0) filter.tags = value as Record<string, string>;
        break;
      }
      case 'since':
      case 'until':
        // Normalised to the stored form (UTC, ms), so the live match compares it with event times as text.
        if (typeof value !== 'string') invalid(`${at} must be an ISO 8601 date-time with a zone`, at);
        filter[field] = parseIsoTime(value, at);
        break;
      default:
        invalid(`unknown field ${JSON.stringify(field)}`, at);
    }
  }
  return filter;
}

/**
 * Whether `event` matches `filter` (the server's live wake-ups). `since`/`until` must be in the
 * stored form of event times (parseIsoTime: UTC, ms), which then compare as text.
 */
export function matchesFeedFilter(
  filter: FeedFilter,
  event: Pick<HeraldEvent, 'stream' | 'type' | 'tags' | 'time'>,
): boolean {
  return (
    (filter.stream === undefined || event.stream === filter.stream) &&
    (filter.prefix === undefined || event.stream.startsWith(filter.prefix)) &&
    (filter.types === undefined || filter.types.includes(event.type)) &&
    (filter.since === undefined || event.time >= filter.since) &&
    (filter.until === undefined || event.time < filter.until) &&
    Object.entries(filter.tags ?? {}).every(([key, value]) => event.tags?.[key] === value)
  );
}

/**
 * A stored event's JSON with its feed cursor added, built by concatenation (serialise once):
 * cursors are base64url, so they need no escaping.
 */
export function encodeFeedEventJson(eventJson: string, cursor: string): string {
  return `${eventJson.slice(0, -1)},"cursor":"${cursor}"}`;
}

/** The WebSocket `feed_event` frame of one event of feed `feed`, built without re-serialising the event. */
export function encodeFeedEventFrame(feed: string, cursor: string, eventJson: string): string {
  return `{"op":"feed_event","feed":${JSON.stringify(feed)},"cursor":"${cursor}","event":${eventJson}}`;
}
