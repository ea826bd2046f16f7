/** Stream names: `run:8f2c`, `batch:b1`, `org:acme` (DESIGN "Concepts"). */
export const STREAM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;
/** Stream name prefixes (`GET /v1/streams?prefix=`, history `prefix=`): the start of some valid stream name. */
export const STREAM_PREFIX_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199})?$/;
/**
 * Epochs as a client may send them back (`?epoch=`, `sub.epoch`, SSE cursors): the server makes
 * 16 base64url characters; the pattern leaves room for UUIDs and ULIDs, and nothing else.
 */
export const EPOCH_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Event types: `job_started`, `workflow.completed`. */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;
/** Longest producer-supplied idempotency key. */
export const MAX_EVENT_ID_LENGTH = 128;
/** Longest tag key or value, so tag indexes stay small. */
export const MAX_TAG_LENGTH = 256;
/** Most tags on one event. */
export const MAX_TAGS_PER_EVENT = 32;
/** Default cap on one event's serialised size (DESIGN "Limits"). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Default cap on a stream's state document: its JSON, in UTF-8 bytes (1 MiB). */
export const DEFAULT_MAX_STATE_BYTES = 1024 * 1024;
/** Default and largest number of events in one atomic batch. */
export const DEFAULT_MAX_BATCH_EVENTS = 1000;
/** Page size of `GET …/events` when `limit` is omitted, and its ceiling. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
/** Longest long-poll hold, in seconds (`wait=`). */
export const MAX_WAIT_SECONDS = 60;
/** Idle interval after which SSE and WebSocket send a heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Whether `name` is a valid stream name. */
export function isValidStreamName(name: unknown): name is string {
  return typeof name === 'string' && STREAM_NAME_PATTERN.test(name);
}

/** Whether `prefix` can start a stream name (the empty prefix included), so a prefix query can match. */
export function isValidStreamPrefix(prefix: unknown): prefix is string {
  return typeof prefix === 'string' && STREAM_PREFIX_PATTERN.test(prefix);
}

/** Whether `epoch` has the form of an epoch a server issues (EPOCH_PATTERN). */
export function isValidEpoch(epoch: unknown): epoch is string {
  return typeof epoch === 'string' && EPOCH_PATTERN.test(epoch);
}

/** Whether `type` is a valid event type. */
export function isValidEventType(type: unknown): type is string {
  return typeof type === 'string' && EVENT_TYPE_PATTERN.test(type);
}
