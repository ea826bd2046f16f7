import { HeraldError } from './errors.js';
import type { EventInput, JsonValue, StreamEventInput, Tags } from './event.js';
import {
  DEFAULT_MAX_BATCH_EVENTS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  isValidEventType,
  isValidStreamName,
  MAX_EVENT_ID_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS_PER_EVENT,
} from './names.js';
import { assertStorableJson, assertStorableText } from './storable-json.js';

/** Limits applied while parsing published events. */
export interface EventLimits {
  /** Largest serialised event, in bytes (default 64 KiB). */
  maxPayloadBytes?: number;
  /** Most events in one batch (default 1000). */
  maxBatchEvents?: number;
}

const EVENT_FIELDS = new Set(['type', 'data', 'state', 'tags', 'id', 'final', 'expectedSeq']);

function invalid(message: string, path: string): never {
  throw new HeraldError('invalid_request', message, { details: { path } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const textEncoder = new TextEncoder();

/** UTF-8 size of a string, in bytes. */
export function byteLength(text: string): number {
  return textEncoder.encode(text).length;
}

/**
 * Whether `text` has more than `max` characters, counted as JSON Schema's `maxLength` counts them
 * (Unicode code points: an emoji is one), so the HTTP schema and these rules agree on every way in.
 */
function isLongerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let characters = 0;
  for (const _ of text) if (++characters > max) return true;
  return false;
}

/** Throws `invalid_stream_name` unless `name` matches the stream name pattern. */
export function assertStreamName(name: unknown, path = 'stream'): asserts name is string {
  if (!isValidStreamName(name)) {
    throw new HeraldError('invalid_stream_name', `${path} must match ^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$`, {
      details: { path },
    });
  }
}

/**
 * Throws `invalid_request` unless `key: value` is a valid tag, on an event or in a history filter
 * (`tag.K=V`): 1..MAX_TAG_LENGTH characters of key, at most MAX_TAG_LENGTH of value, storable text,
 * and a key other than `__proto__` (see storable-json.ts).
 */
export function assertTag(key: string, value: unknown, path: string): asserts value is string {
  if (key.length === 0 || isLongerThan(key, MAX_TAG_LENGTH))
    invalid(`tag keys are 1..${MAX_TAG_LENGTH} characters`, path);
  if (key === '__proto__') invalid('a tag key may not be __proto__', `${path}.${key}`);
  assertStorableText(key, path);
  if (typeof value !== 'string' || isLongerThan(value, MAX_TAG_LENGTH)) {
    invalid(`tag values are strings of at most ${MAX_TAG_LENGTH} characters`, `${path}.${key}`);
  }
  assertStorableText(value, `${path}.${key}`);
}

function parseTags(value: unknown, path: string): Tags {
  if (!isPlainObject(value)) invalid('tags must be an object of strings', path);
  const entries = Object.entries(value);
  if (entries.length > MAX_TAGS_PER_EVENT) invalid(`at most ${MAX_TAGS_PER_EVENT} tags per event`, path);
  for (const [key, tag] of entries) assertTag(key, tag, path);
  return value as Tags;
}

/**
 * Validates one published event and returns it in canonical form (unknown fields rejected, so a
 * typo such as `tag` instead of `tags` is an error rather than silently lost data).
 */
export function parseEventInput(value: unknown, limits: EventLimits = {}, path = 'event'): EventInput {
  if (!isPlainObject(value)) invalid('an event must be a JSON object', path);
  for (const key of Object.keys(value)) {
    if (!EVENT_FIELDS.has(key)) invalid(`unknown field "${key}"`, `${path}.${key}`);
  }
  if (!isValidEventType(value.type)) invalid('type must match ^[A-Za-z0-9_.:-]{1,100}$', `${path}.type`);
  const event: EventInput = { type: value.type };
  if (value.id !== undefined) {
    if (typeof value.id !== 'string' || value.id.length === 0 || isLongerThan(value.id, MAX_EVENT_ID_LENGTH)) {
      invalid(`id must be a string of 1..${MAX_EVENT_ID_LENGTH} characters`, `${path}.id`);
    }
    assertStorableText(value.id, `${path}.id`);
    event.id = value.id;
  }
  if (value.data !== undefined) {
    assertStorableJson(value.data, `${path}.data`);
    event.data = value.data as JsonValue;
  }
  if (value.state !== undefined) {
    assertStorableJson(value.state, `${path}.state`);
    event.state = value.state as JsonValue;
  }
  if (value.tags !== undefined) event.tags = parseTags(value.tags, `${path}.tags`);
  if (value.final !== undefined) {
    if (typeof value.final !== 'boolean') invalid('final must be a boolean', `${path}.final`);
    if (value.final) event.final = true;
  }
  if (value.expectedSeq !== undefined) {
    const expected = value.expectedSeq;
    if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
      invalid('expectedSeq must be an integer ≥ 0', `${path}.expectedSeq`);
    }
    event.expectedSeq = expected;
  }
  const maxBytes = limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  const size = byteLength(JSON.stringify(event));
  if (size > maxBytes) {
    throw new HeraldError('payload_too_large', `event is ${size} bytes; the limit is ${maxBytes}`, {
      details: { path, size, limit: maxBytes },
    });
  }
  return event;
}

function parseEventList(body: Record<string, unknown>, limits: EventLimits): unknown[] {
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0) invalid('events must be a non-empty array', 'events');
  const maxBatch = limits.maxBatchEvents ?? DEFAULT_MAX_BATCH_EVENTS;
  if (events.length > maxBatch) {
    throw new HeraldError('payload_too_large', `a batch holds at most ${maxBatch} events`, {
      details: { path: 'events', size: events.length, limit: maxBatch },
    });
  }
  return events;
}

/** Parses `POST /v1/streams/{stream}/events`: one event, or `{events: [...]}` (atomic). */
export function parsePublishBody(body: unknown, limits: EventLimits = {}): EventInput[] {
  if (!isPlainObject(body)) invalid('the body must be a JSON object', 'body');
  if (body.events === undefined) return [parseEventInput(body, limits, 'body')];
  if (Object.keys(body).length !== 1) invalid('a batch body holds only "events"', 'body');
  return parseEventList(body, limits).map((event, i) => parseEventInput(event, limits, `events[${i}]`));
}

/** Parses `POST /v1/events`: `{events: [{stream, type, …}]}`, atomic across streams. */
export function parseMultiPublishBody(body: unknown, limits: EventLimits = {}): StreamEventInput[] {
  if (!isPlainObject(body)) invalid('the body must be a JSON object', 'body');
  return parseEventList(body, limits).map((raw, i) => {
    const path = `events[${i}]`;
    if (!isPlainObject(raw)) invalid('an event must be a JSON object', path);
    const { stream, ...rest } = raw;
    assertStreamName(stream, `${path}.stream`);
    return { stream, ...parseEventInput(rest, limits, path) };
  });
}
