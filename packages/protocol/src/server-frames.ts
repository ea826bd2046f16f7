/**
 * Checks that a value received from a server is a well-formed server frame, whatever wire it came
 * over: the WebSocket's JSON frames (`parseServerFrame`) and the SSE messages the client turns into
 * the same frames are held to the same rules, so a garbled or hostile message is dropped the same
 * way on both instead of reaching the subscription's ordering with a wrong type.
 */
import { isErrorCode } from './errors.js';
import { isValidStreamName } from './names.js';
import { isStreamPresence } from './presence.js';
import type { ServerFrame } from './ws-frames.js';

type Fields = Record<string, unknown>;

const isSeq = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
const isEpoch = (value: unknown): boolean => value === null || typeof value === 'string';
const isString = (value: unknown): boolean => typeof value === 'string';
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** `check`, or absent. */
const maybe =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || check(value);

/** A feed event's event: the fields an `event` frame must have. */
const isEventOfFeed = (value: unknown): boolean =>
  isObject(value) &&
  isValidStreamName(value.stream) &&
  isSeq(value.seq) &&
  (value.seq as number) > 0 &&
  isString(value.id) &&
  isString(value.type);

/** Per `op`, the checks of each field the client reads; an op not listed is not a server frame. */
const FRAME_FIELDS: Record<ServerFrame['op'], Record<string, (value: unknown) => boolean>> = {
  subscribed: { stream: isValidStreamName, epoch: isEpoch, seq: isSeq, firstSeq: isSeq, final: (v) => v === !!v },
  live: { stream: isValidStreamName, seq: isSeq },
  event: {
    stream: isValidStreamName,
    seq: (v) => isSeq(v) && (v as number) > 0,
    id: isString,
    type: isString,
    time: isString,
    final: maybe((v) => v === !!v),
    epoch: maybe(isString),
  },
  // Older servers sent no firstSeq: the subscription then resumes after the snapshot.
  reset: {
    stream: isValidStreamName,
    reason: (v) => v === 'truncated' || v === 'epoch_changed',
    epoch: isEpoch,
    seq: isSeq,
    firstSeq: maybe(isSeq),
  },
  // Replies the SDK reads nothing of (it sends no frame that waits for them).
  ack: {},
  unsubscribed: {},
  pong: {},
  error: { code: isErrorCode, message: isString, stream: maybe(isValidStreamName), feed: maybe(isString) },
  hb: {},
  presence: { stream: isValidStreamName },
  following: { feed: isString },
  feed_event: { feed: isString, cursor: isString, event: isEventOfFeed },
  feed_live: { feed: isString, cursor: maybe(isString) },
  unfollowed: { feed: isString },
};

/** `raw` as a server frame when it is a well-formed one, else `undefined`. */
export function resolveServerFrame(raw: unknown): ServerFrame | undefined {
  if (!isObject(raw) || typeof raw.op !== 'string' || !Object.hasOwn(FRAME_FIELDS, raw.op)) return undefined;
  const fields = FRAME_FIELDS[raw.op as ServerFrame['op']];
  const isWellFormed =
    Object.entries(fields).every(([name, check]) => check(raw[name])) &&
    (raw.op !== 'presence' || isStreamPresence(raw));
  return isWellFormed ? (raw as ServerFrame) : undefined;
}
