import { HeraldError } from './errors.js';

/**
 * Who watches a stream (docs/protocol.md "Presence"): `count` counts every watching subscription
 * on every node, anonymous ones included; `names` lists, once each and sorted, the names of the
 * named ones (a JWT `sub`, or a label the token allows), the first MAX_PRESENCE_NAMES of them.
 * Not stored in the event log.
 */
export interface StreamPresence {
  stream: string;
  count: number;
  names: string[];
  /** `true` (else absent) when more watchers are named than `names` lists. */
  namesTruncated?: boolean;
}

/**
 * Most names a presence view lists (HTTP and `presence` frames): a crowd of named watchers must
 * not make every view of the stream, sent to every watcher, grow with it.
 */
export const MAX_PRESENCE_NAMES = 100;

/** Longest client-supplied presence label, in UTF-16 code units. */
export const MAX_PRESENCE_LABEL_LENGTH = 64;

/**
 * A label: 1 to 64 characters, none of them invisible or reordering what follows, since it is
 * shown as is in dashboards and a label must not pass for another: no control characters (Cc),
 * no format characters (Cf: bidirectional overrides and isolates such as U+202E and U+2066,
 * zero-width spaces and joiners, the byte order mark, the soft hyphen), no line or paragraph
 * separators (Zl, Zp), no lone surrogates (Cs).
 */
const LABEL_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]{1,64}$/u;

/**
 * `value` as a presence label, or `undefined` when absent; throws `invalid_request` naming `path`.
 * Every wire's label goes through it (WebSocket `sub`, `?label=`), and the client's own.
 */
export function parsePresenceLabel(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  const isValid = typeof value === 'string' && value.length <= MAX_PRESENCE_LABEL_LENGTH && LABEL_PATTERN.test(value);
  if (!isValid) {
    throw new HeraldError(
      'invalid_request',
      `${path} must be 1 to ${MAX_PRESENCE_LABEL_LENGTH} characters without control, format or separator characters`,
      { details: { path } },
    );
  }
  return value;
}

/** Whether `raw` is a well-formed presence (HTTP body or the fields of a `presence` frame). */
export function isStreamPresence(raw: Record<string, unknown>): boolean {
  const { count, names, namesTruncated } = raw;
  const isCount = Number.isSafeInteger(count) && (count as number) >= 0;
  const isTruncation = namesTruncated === undefined || typeof namesTruncated === 'boolean';
  return isCount && isTruncation && Array.isArray(names) && names.every((name) => typeof name === 'string');
}
