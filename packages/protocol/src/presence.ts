import { HeraldError } from './errors.js';

/**
 * Who watches a stream (docs/protocol.md "Presence"): `count` counts every watching subscription
 * on every node, anonymous ones included; `names` lists, once each and sorted, the names of the
 * named ones (a JWT `sub`, or a label the token allows). Not stored in the event log.
 */
export interface StreamPresence {
  stream: string;
  count: number;
  names: string[];
}

/** Longest client-supplied presence label, in UTF-16 code units. */
export const MAX_PRESENCE_LABEL_LENGTH = 64;

/** A label: 1 to 64 characters with no control characters (it is shown as is in dashboards). */
const LABEL_PATTERN = /^[^\p{Cc}]{1,64}$/u;

/** `value` as a presence label, or `undefined` when absent; throws `invalid_request` naming `path`. */
export function parsePresenceLabel(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  const isValid = typeof value === 'string' && value.length <= MAX_PRESENCE_LABEL_LENGTH && LABEL_PATTERN.test(value);
  if (!isValid) {
    throw new HeraldError(
      'invalid_request',
      `${path} must be 1 to ${MAX_PRESENCE_LABEL_LENGTH} characters without control characters`,
      { details: { path } },
    );
  }
  return value;
}

/** Whether `raw` is a well-formed presence (HTTP body or the fields of a `presence` frame). */
export function isStreamPresence(raw: Record<string, unknown>): boolean {
  const { count, names } = raw;
  const isCount = Number.isSafeInteger(count) && (count as number) >= 0;
  return isCount && Array.isArray(names) && names.every((name) => typeof name === 'string');
}
