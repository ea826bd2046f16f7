import {
  EPOCH_PATTERN,
  EVENT_TYPE_PATTERN,
  MAX_EVENT_ID_LENGTH,
  MAX_TAG_LENGTH,
  MAX_TAGS_PER_EVENT,
  STREAM_NAME_PATTERN,
} from '@herald/protocol';
import { type TProperties, Type } from 'typebox';

/** A stream name (DESIGN "Concepts"); a schema failure on it answers `invalid_stream_name`. */
export const StreamName = Type.String({ pattern: STREAM_NAME_PATTERN.source, examples: ['run:42'] });

/** An epoch as the server issues it. */
export const Epoch = Type.String({ pattern: EPOCH_PATTERN.source, examples: ['nZk3e7Qm1vT0aB2c'] });

/** Any JSON value (`data`, `state`). Byte sizes, depth, NUL and lone surrogates are @herald/protocol's checks. */
const AnyJson = Type.Unknown({ description: 'Any JSON value.' });

/** A flat string→string map, indexed for history queries. */
const Tags = Type.Record(Type.String(), Type.String({ maxLength: MAX_TAG_LENGTH }), {
  propertyNames: { minLength: 1, maxLength: MAX_TAG_LENGTH },
  maxProperties: MAX_TAGS_PER_EVENT,
  examples: [{ batchId: 'b1', jobId: 'j7' }],
});

const EVENT_INPUT_PROPERTIES = {
  type: Type.String({ pattern: EVENT_TYPE_PATTERN.source, examples: ['job_started'] }),
  data: Type.Optional(AnyJson),
  state: Type.Optional({ ...AnyJson, description: 'A JSON Merge Patch (RFC 7396) applied to the stream state.' }),
  tags: Type.Optional(Tags),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_EVENT_ID_LENGTH, description: 'Idempotency key.' })),
  final: Type.Optional(Type.Boolean({ description: '`true` closes the stream.' })),
  expectedSeq: Type.Optional(
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Optimistic concurrency.' }),
  ),
} satisfies TProperties;

/**
 * One published event. The schema checks its shape; @herald/protocol (parseEventInput) then
 * applies what JSON Schema cannot say, alike for HTTP, WebSocket and the client: the event's byte
 * size, storable JSON (no NUL, no lone surrogate, bounded depth, no `__proto__`).
 */
export const EventInput = Type.Object(EVENT_INPUT_PROPERTIES, {
  additionalProperties: false,
  examples: [{ type: 'job_progress', data: { pct: 40 }, state: { status: 'running' }, tags: { jobId: 'j7' } }],
});

/** An event of a cross-stream batch: an event with its stream. */
export const StreamEventInput = Type.Object(
  { stream: StreamName, ...EVENT_INPUT_PROPERTIES },
  { additionalProperties: false },
);

const BATCH_DESCRIPTION = 'At most `limits.maxBatchEvents` events (default 1000): more is `413 payload_too_large`.';

/** `{events: [...]}`: an atomic batch for one stream. */
const StreamBatch = Type.Object(
  { events: Type.Array(EventInput, { minItems: 1, description: BATCH_DESCRIPTION }) },
  { additionalProperties: false },
);

/**
 * `POST /v1/streams/{stream}/events`: one event, or `{events: [...]}`. An `if` on `events` (not a
 * `oneOf`) so that a refused body names the failing field of the shape it meant.
 */
export const PublishBody = Type.Unsafe<unknown>({
  description: 'One event, or `{"events": [...]}` appended atomically.',
  if: { type: 'object', required: ['events'] },
  // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword.
  then: StreamBatch,
  else: EventInput,
  examples: [
    { type: 'job_started', id: 'job-7-started', data: { job: 7 }, state: { status: 'running' }, tags: { jobId: 'j7' } },
    {
      events: [
        { type: 'step', data: { n: 1 } },
        { type: 'workflow_completed', state: { status: 'done' }, final: true },
      ],
    },
  ],
});

/** `POST /v1/events`: `{events: [{stream, type, …}]}`, atomic across streams. */
export const MultiPublishBody = Type.Object(
  { events: Type.Array(StreamEventInput, { minItems: 1, description: BATCH_DESCRIPTION }) },
  {
    additionalProperties: false,
    examples: [
      {
        events: [
          { stream: 'run:43', type: 'job_started' },
          { stream: 'batch:b1', type: 'run_added' },
        ],
      },
    ],
  },
);

/** A stored event, as delivered. */
export const HeraldEvent = Type.Object({
  stream: StreamName,
  seq: Type.Integer({ minimum: 1 }),
  id: Type.String(),
  type: Type.String(),
  time: Type.String({ format: 'date-time', description: 'Server receive time, ISO 8601 UTC with ms.' }),
  data: Type.Optional(AnyJson),
  state: Type.Optional(AnyJson),
  tags: Type.Optional(Type.Record(Type.String(), Type.String())),
  final: Type.Optional(Type.Literal(true)),
});

/** `201`/`200` of `POST /v1/streams/{stream}/events`. */
export const PublishResult = Type.Object({
  stream: StreamName,
  epoch: Type.String(),
  seq: Type.Integer({ minimum: 0, description: "The stream's head after the publish." }),
  events: Type.Array(Type.Object({ id: Type.String(), seq: Type.Integer({ minimum: 1 }) })),
});

/** `201`/`200` of `POST /v1/events`. */
export const MultiPublishResult = Type.Object({
  streams: Type.Array(Type.Object({ stream: StreamName, epoch: Type.String(), seq: Type.Integer({ minimum: 0 }) })),
  events: Type.Array(Type.Object({ stream: StreamName, id: Type.String(), seq: Type.Integer({ minimum: 1 }) })),
});
