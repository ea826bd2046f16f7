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

/** Longest client-supplied presence label, in characters (Unicode code points: an emoji is one). */
export const MAX_PRESENCE_LABEL_LENGTH = 64;

/**
 * A label: 1 to 64 characters, none of them invisible or reordering what follows, since it is
 * shown as is in dashboards and a label must not pass for another: no control characters (Cc),
 * no format characters (Cf: bidirectional overrides and isolates such as U+202E and U+2066,
 * zero-width spaces and joiners, the byte order mark, the soft hyphen), no line or paragraph
 * separators (Zl, Zp), no lone surrogates (Cs).
 */
const LABEL_PATTERN = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]+$/u;

/**
 * What shows nothing where it stands: white space (spaces of every width, U+00A0, U+3000),
 * default-ignorable code points (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation
 * selectors) and the braille blank U+2800. A label must keep a character once they are removed,
 * or it would be a blank name in a dashboard.
 */
const BLANK_PATTERN = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/** Whether `label` is a well-formed label (see LABEL_PATTERN and BLANK_PATTERN), as given: nothing is trimmed. */
function isPresenceLabel(label: string): boolean {
  let codePoints = 0;
  for (const _ of label) codePoints++;
  return (
    codePoints <= MAX_PRESENCE_LABEL_LENGTH && LABEL_PATTERN.test(label) && label.replace(BLANK_PATTERN, '') !== ''
  );
}

/**
 * `value` as a presence label, or `undefined` when absent; throws `invalid_request` naming `path`.
 * Every wire's label goes through it (WebSocket `sub`, `?label=`), and the client's own.
 */
export function parsePresenceLabel(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isPresenceLabel(value)) {
    throw new HeraldError(
      'invalid_request',
      `${path} must be 1 to ${MAX_PRESENCE_LABEL_LENGTH} characters, some visible, without control, format or separator characters`,
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
