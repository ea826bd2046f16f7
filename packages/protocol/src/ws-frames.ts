import { type ErrorCode, HeraldError } from './errors.js';
import type { EventInput, HeraldEvent, JsonValue } from './event.js';
import { assertExactNumbers } from './exact-numbers.js';
import { type FeedFilter, isValidFeedId, MAX_CURSOR_LENGTH, parseFeedFilter } from './feed.js';
import { isValidEpoch, isValidStreamName } from './names.js';
import { parsePresenceLabel, type StreamPresence } from './presence.js';
import { resolveServerFrame } from './server-frames.js';
import { assertStreamName, type EventLimits, parseEventInput } from './validate.js';

/** Client → server frames. Every frame may carry `ref`, echoed by the reply. */
export type ClientFrame =
  | {
      op: 'sub';
      stream: string;
      after?: number;
      epoch?: string;
      snapshot?: boolean;
      /** Presence (issue 16): also send `presence` frames for the stream; `label` names this watcher. */
      presence?: boolean;
      label?: string;
      ref?: number;
    }
  | { op: 'unsub'; stream: string; ref?: number }
  | { op: 'pub'; stream: string; event: EventInput; ref?: number }
  | { op: 'ping'; ref?: number }
  | { op: 'auth'; token: string; ref?: number }
  /** Follows a live filtered feed under the client's own id `feed`, after `cursor` (none: from the start). */
  | { op: 'follow'; feed: string; filter: FeedFilter; cursor?: string; ref?: number }
  | { op: 'unfollow'; feed: string; ref?: number };

/** Why a subscriber is told to reset. */
export type ResetReason = 'truncated' | 'epoch_changed';

/** Server → client frames. */
export type ServerFrame =
  | {
      op: 'subscribed';
      ref?: number;
      stream: string;
      epoch: string | null;
      seq: number;
      firstSeq: number;
      final: boolean;
      state?: JsonValue;
    }
  | { op: 'live'; stream: string; seq: number }
  /** `epoch`: the stream's epoch the event belongs to (absent from older servers). */
  | ({ op: 'event'; epoch?: string } & HeraldEvent)
  | {
      op: 'reset';
      stream: string;
      reason: ResetReason;
      epoch: string | null;
      /** The head seq `state` stands at. */
      seq: number;
      /** The oldest seq still held: the events that follow the reset start here (the timeline). */
      firstSeq: number;
      state: JsonValue;
    }
  | { op: 'ack'; ref?: number; stream: string; seq: number; id: string }
  | { op: 'unsubscribed'; ref?: number; stream: string }
  | { op: 'pong'; ref?: number }
  | {
      op: 'error';
      ref?: number;
      /** The stream of the `sub`/`unsub`/`pub` it answers, or of the subscription it ended. */
      stream?: string;
      /** The feed of the `follow`/`unfollow` it answers, or the feed it ended. */
      feed?: string;
      code: ErrorCode;
      message: string;
      retryAfterMs?: number;
    }
  | { op: 'hb' }
  /** A `follow` was taken: the feed's events follow, then `feed_live`. */
  | { op: 'following'; ref?: number; feed: string }
  /** One event of feed `feed`; `cursor` resumes right after it. */
  | { op: 'feed_event'; feed: string; cursor: string; event: HeraldEvent }
  /** The feed caught up with the log at `cursor` (absent: nothing matched yet); what follows is live. */
  | { op: 'feed_live'; feed: string; cursor?: string }
  | { op: 'unfollowed'; ref?: number; feed: string }
  /** Presence (issue 16): who watches `stream`, after `subscribed` and on every change. */
  | ({ op: 'presence' } & StreamPresence);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A client frame that could not be parsed: the error plus whatever `ref` could be recovered. */
export interface FrameParseFailure {
  error: HeraldError;
  ref?: number;
  /** The stream a refused `sub`/`unsub`/`pub` names, when that name is valid: its error echoes it. */
  stream?: string;
  /** The feed a refused `follow`/`unfollow` names, when that id is valid: its error echoes it. */
  feed?: string;
}

/** What a refused frame's error echoes besides its ref: the stream or feed the frame names (docs/protocol.md "Errors"). */
function subjectOf(raw: Record<string, unknown>): Pick<FrameParseFailure, 'stream' | 'feed'> {
  const { op, stream, feed } = raw;
  const isStreamOp = op === 'sub' || op === 'unsub' || op === 'pub';
  if (isStreamOp && isValidStreamName(stream)) return { stream };
  const isFeedOp = op === 'follow' || op === 'unfollow';
  if (isFeedOp && isValidFeedId(feed)) return { feed };
  return {};
}

/** The fields each op's frame may carry besides `op` and `ref`; any other field is refused. */
const FRAME_FIELDS: Record<ClientFrame['op'], readonly string[]> = {
  sub: ['stream', 'after', 'epoch', 'snapshot', 'presence', 'label'],
  unsub: ['stream'],
  pub: ['stream', 'event'],
  ping: [],
  auth: ['token'],
  follow: ['feed', 'filter', 'cursor'],
  unfollow: ['feed'],
};

/** A `ref` is echoed as given, so only a safe integer ≥ 0 is taken (a string or 1e400 could not round-trip). */
function isValidRef(ref: unknown): ref is number | undefined {
  return ref === undefined || (Number.isSafeInteger(ref) && (ref as number) >= 0);
}

function assertKnownFields(raw: Record<string, unknown>, fields: readonly string[]): void {
  for (const field of Object.keys(raw)) {
    if (field !== 'op' && field !== 'ref' && !fields.includes(field)) {
      throw new HeraldError('invalid_request', `unknown field ${JSON.stringify(field)}`, { details: { path: field } });
    }
  }
}

function parsePosition(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new HeraldError('invalid_request', `${path} must be an integer ≥ 0`, { details: { path } });
  }
  return value;
}

/**
 * Parses one client text frame. Never throws: a bad frame yields `{error, ref?}` so the server can
 * answer with an error frame that echoes the ref and keep the connection.
 */
export function parseClientFrame(text: string, limits: EventLimits = {}): ClientFrame | FrameParseFailure {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: new HeraldError('invalid_json', 'frame is not valid JSON') };
  }
  if (!isPlainObject(raw)) return { error: new HeraldError('invalid_request', 'a frame must be a JSON object') };
  const { ref } = raw;
  if (!isValidRef(ref)) {
    return { error: new HeraldError('invalid_request', 'ref must be an integer ≥ 0', { details: { path: 'ref' } }) };
  }
  try {
    // An integer JSON.parse rounded would be published altered: refused, as over HTTP.
    assertExactNumbers(text);
    // An unknown op is reported as such (by parseFrameFields), not as its fields.
    if (Object.hasOwn(FRAME_FIELDS, raw.op as string))
      assertKnownFields(raw, FRAME_FIELDS[raw.op as ClientFrame['op']]);
    return parseFrameFields(raw, ref, limits);
  } catch (error) {
    const herald = error instanceof HeraldError ? error : new HeraldError('invalid_request', String(error));
    return { error: herald, ...(ref === undefined ? {} : { ref }), ...subjectOf(raw) };
  }
}

function withRef<T extends object>(frame: T, ref: number | undefined): T & { ref?: number } {
  return ref === undefined ? frame : { ...frame, ref };
}

function assertFeedId(feed: unknown): asserts feed is string {
  if (!isValidFeedId(feed)) {
    throw new HeraldError('invalid_request', 'feed must match ^[A-Za-z0-9_.:-]{1,64}$', { details: { path: 'feed' } });
  }
}

function parseFrameFields(raw: Record<string, unknown>, ref: number | undefined, limits: EventLimits): ClientFrame {
  switch (raw.op) {
    case 'sub': {
      assertStreamName(raw.stream);
      const frame: ClientFrame = { op: 'sub', stream: raw.stream };
      const after = parsePosition(raw.after, 'after');
      if (after !== undefined) frame.after = after;
      if (raw.epoch !== undefined && raw.epoch !== null) {
        if (!isValidEpoch(raw.epoch))
          throw new HeraldError('invalid_request', 'epoch must be an epoch the server issued');
        frame.epoch = raw.epoch;
      }
      if (raw.snapshot !== undefined) {
        if (typeof raw.snapshot !== 'boolean') throw new HeraldError('invalid_request', 'snapshot must be a boolean');
        frame.snapshot = raw.snapshot;
      }
      parsePresenceFields(raw, frame);
      return withRef(frame, ref);
    }
    case 'unsub':
      assertStreamName(raw.stream);
      return withRef({ op: 'unsub', stream: raw.stream }, ref);
    case 'pub':
      assertStreamName(raw.stream);
      return withRef({ op: 'pub', stream: raw.stream, event: parseEventInput(raw.event, limits, 'event') }, ref);
    case 'ping':
      return withRef({ op: 'ping' }, ref);
    case 'auth':
      if (typeof raw.token !== 'string' || raw.token.length === 0) {
        throw new HeraldError('invalid_request', 'token must be a non-empty string');
      }
      return withRef({ op: 'auth', token: raw.token }, ref);
    case 'follow': {
      assertFeedId(raw.feed);
      const frame: ClientFrame = { op: 'follow', feed: raw.feed, filter: parseFeedFilter(raw.filter) };
      if (raw.cursor !== undefined) {
        const isCursor = typeof raw.cursor === 'string' && raw.cursor.length <= MAX_CURSOR_LENGTH;
        if (!isCursor)
          throw new HeraldError('invalid_request', 'cursor must be a cursor string', { details: { path: 'cursor' } });
        frame.cursor = raw.cursor as string;
      }
      return withRef(frame, ref);
    }
    case 'unfollow':
      assertFeedId(raw.feed);
      return withRef({ op: 'unfollow', feed: raw.feed }, ref);
    default:
      throw new HeraldError('invalid_request', `unknown op ${JSON.stringify(raw.op)}`, { details: { path: 'op' } });
  }
}

/** The presence fields of a `sub` frame (issue 16), kept apart from the rest of `sub`. */
function parsePresenceFields(raw: Record<string, unknown>, frame: Extract<ClientFrame, { op: 'sub' }>): void {
  if (raw.presence !== undefined) {
    if (typeof raw.presence !== 'boolean') throw new HeraldError('invalid_request', 'presence must be a boolean');
    frame.presence = raw.presence;
  }
  const label = parsePresenceLabel(raw.label, 'label');
  if (label !== undefined) frame.label = label;
}

/** Parses one server frame (client side); `undefined` for anything that is not a well-formed frame (server-frames.ts). */
export function parseServerFrame(text: string): ServerFrame | undefined {
  try {
    return resolveServerFrame(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * The `event` frame for an event of the stream's `epoch` already serialised as JSON:
 * `{"op":"event","epoch":…,…}`, built without re-serialising. The epoch lets a client that
 * subscribed before the stream existed resume with it, so a stream deleted and made again (or a
 * store wiped) meanwhile is reset rather than joined onto the old one.
 */
export function encodeEventFrame(eventJson: string, epoch: string): string {
  return `{"op":"event","epoch":${JSON.stringify(epoch)},${eventJson.slice(1)}`;
}
