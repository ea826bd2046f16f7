import {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  MAX_PRESENCE_LABEL_LENGTH,
  MAX_WAIT_SECONDS,
  STREAM_PREFIX_PATTERN,
} from '@herald/protocol';
import { Type } from 'typebox';
import { EMPTY_REFUSED_KEYWORD } from '../schema-validation.js';
import { Epoch } from './event-schemas.js';

// Query values arrive as text: schema-validation.ts reads an integer parameter's digits as a
// number first, and an empty value as absent unless the parameter's schema has `minLength: 1` or
// is marked EMPTY_REFUSED_KEYWORD.

/** `after`: the seq the client has seen; `after=` is refused (a position is never dropped). */
export const After = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  default: 0,
  description: 'Events with `seq > after`. Given empty (`after=`) it is refused, not read as 0.',
  examples: [0],
  [EMPTY_REFUSED_KEYWORD]: true,
});

/** `limit`: page size. */
export const Limit = Type.Integer({
  minimum: 1,
  maximum: MAX_PAGE_LIMIT,
  default: DEFAULT_PAGE_LIMIT,
  examples: [100],
});

/** `wait`: long-poll hold, in s. */
export const Wait = Type.Integer({
  minimum: 0,
  maximum: MAX_WAIT_SECONDS,
  default: 0,
  description: 'Long-poll: hold an idle request up to this many seconds.',
});

/** `epoch`: the epoch of the client's position; another one yields a reset. */
export const EpochParam = {
  ...Epoch,
  // Kept when empty, so `epoch=` is refused rather than read as "no epoch to check".
  minLength: 1,
  description: 'The epoch of `after`; a different current epoch yields a reset. Given empty it is refused.',
};

/** `prefix`: the start of stream names. */
export const Prefix = Type.String({ pattern: STREAM_PREFIX_PATTERN.source, examples: ['run:'] });

/**
 * `cursor`: an opaque cursor the server issued (the server never issues an empty one). Kept when
 * empty, so `cursor=` is refused rather than read as absent, which would restart from the oldest event.
 */
export const Cursor = Type.String({
  minLength: 1,
  description: "A previous page's `nextCursor` (or an event's `cursor`). Given empty it is refused.",
});

/** `token`: where a browser cannot set `Authorization` (EventSource). Read by authentication, not by routes. */
export const Token = Type.String({ description: 'A token, for clients that cannot send `Authorization`.' });

/**
 * An ISO 8601 date-time with a zone (`since`, `until`, `olderThan`). Not `format: date-time`: Herald
 * also takes minutes without seconds (`2026-01-01T00:00-05:30`), so the calendar check stays
 * Herald's own (parseIsoTime). An empty value is refused rather than dropped.
 */
export const Time = Type.String({ minLength: 1, description: 'ISO 8601 date-time with a zone.' });

/**
 * `label`: how the watcher is named in presence, where its token allows (docs/protocol.md
 * "Presence"). Control, format and separator characters, and labels with nothing visible, are
 * refused by the protocol's own check (parsePresenceLabel); `maxLength` counts code points, as it
 * does (Ajv counts a JSON Schema string's length so).
 */
export const Label = Type.String({
  minLength: 1,
  maxLength: MAX_PRESENCE_LABEL_LENGTH,
  description: 'How this watcher is named in presence, where the token allows labels.',
  examples: ['ops-dashboard'],
});
