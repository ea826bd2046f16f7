import { EVENT_STREAM_MEDIA_TYPE, MAX_PRESENCE_NAMES, QUERY_PARAMS, TAG_QUERY_PREFIX } from '@herald/protocol';
import { type Static, Type } from 'typebox';
import type { QueryParams } from '../query-params.js';
import { errorResponses } from './error-schemas.js';
import { HeraldEvent, StreamName } from './event-schemas.js';
import { After, Cursor, EpochParam, Label, Limit, Prefix, Time, Token, Wait } from './query-schemas.js';
import { TOKEN_OR_OPEN } from './security.js';

// These routes send pre-serialised JSON (sendWithEtag: events are stored as JSON once, never
// re-encoded), which Fastify passes through untouched: their 200 schemas document the answer and
// the contract test checks it, but they never serialise it.

const StreamParams = Type.Object({ stream: StreamName });

/** A stream's snapshot. */
const StreamSnapshot = Type.Object({
  stream: StreamName,
  epoch: Type.Union([Type.String(), Type.Null()], { description: 'null while the stream has no event.' }),
  seq: Type.Integer({ minimum: 0 }),
  firstSeq: Type.Integer({ minimum: 0 }),
  state: Type.Unknown({ description: 'The state document (null before any state).' }),
  final: Type.Boolean(),
  createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const NOT_MODIFIED = {
  description: 'The ETag the request names (If-None-Match) is current: no body.',
  type: 'null',
} as const;

const READ_ERRORS = errorResponses('invalid_request', 'invalid_stream_name', 'forbidden', 'unavailable');

/** `GET /v1/streams/{stream}`. */
export const snapshotRouteSchema = {
  tags: ['streams'],
  summary: "A stream's snapshot",
  description: 'With an ETag; a request naming it (If-None-Match) is answered `304`. An unknown stream reads as empty.',
  security: TOKEN_OR_OPEN,
  params: StreamParams,
  querystring: Type.Object({
    [QUERY_PARAMS.watch]: Type.Optional(
      Type.Literal('1', {
        description:
          '`1`: this read is a poll of a client watching the stream, counted in its presence for one heartbeat ' +
          'interval (the SDK poll transport sends it); without it a read is not counted.',
      }),
    ),
    [QUERY_PARAMS.label]: Type.Optional(Label),
    [QUERY_PARAMS.token]: Type.Optional(Token),
  }),
  response: { 200: StreamSnapshot, 304: NOT_MODIFIED, ...READ_ERRORS },
};

/** `GET /v1/streams/{stream}/presence`. */
export const presenceRouteSchema = {
  tags: ['streams'],
  summary: 'Who watches a stream',
  description:
    'Counts every watching subscription on every node; `names` lists the named ones (a JWT `sub`, or a label ' +
    `the token allows), sorted, the first ${MAX_PRESENCE_NAMES} of them: \`namesTruncated\` is \`true\` when more are named. ` +
    '`no-store`: presence is never cached nor kept in the event log.',
  security: TOKEN_OR_OPEN,
  params: StreamParams,
  querystring: Type.Object({ [QUERY_PARAMS.token]: Type.Optional(Token) }),
  response: {
    200: Type.Object({
      stream: StreamName,
      count: Type.Integer({ minimum: 0 }),
      names: Type.Array(Type.String(), { maxItems: MAX_PRESENCE_NAMES }),
      namesTruncated: Type.Optional(
        Type.Boolean({ description: `Present, \`true\`, when more than ${MAX_PRESENCE_NAMES} watchers are named.` }),
      ),
    }),
    ...READ_ERRORS,
  },
};

const StreamListPage = Type.Object({ streams: Type.Array(StreamSnapshot), nextCursor: Type.Optional(Type.String()) });

/** `GET /v1/streams`. */
export const streamListRouteSchema = {
  tags: ['streams'],
  summary: 'Stream snapshots by prefix',
  description:
    'A page of snapshots; `watch` set to `1` with `Accept: text/event-stream` follows snapshot changes under the prefix.',
  security: TOKEN_OR_OPEN,
  querystring: Type.Object({
    [QUERY_PARAMS.prefix]: Type.Optional(Prefix),
    [QUERY_PARAMS.limit]: Type.Optional(Limit),
    [QUERY_PARAMS.cursor]: Type.Optional(Cursor),
    [QUERY_PARAMS.watch]: Type.Optional(Type.String({ description: '`1` with SSE: follow the list.' })),
    [QUERY_PARAMS.token]: Type.Optional(Token),
  }),
  response: {
    200: {
      description: 'A page of snapshots, or with `watch=1` an SSE stream of them.',
      content: {
        'application/json': { schema: StreamListPage },
        [EVENT_STREAM_MEDIA_TYPE]: { schema: Type.String() },
      },
    },
    304: NOT_MODIFIED,
    ...errorResponses('invalid_request', 'forbidden', 'unavailable', 'too_many_connections'),
  },
};

const EventsPage = Type.Object({
  stream: StreamName,
  epoch: Type.Union([Type.String(), Type.Null()]),
  seq: Type.Integer({ minimum: 0 }),
  firstSeq: Type.Integer({ minimum: 0 }),
  final: Type.Boolean(),
  events: Type.Array(HeraldEvent),
  hasMore: Type.Boolean(),
  reset: Type.Optional(Type.Literal(true, { description: 'The position was gone: events restart at firstSeq.' })),
  state: Type.Optional(Type.Unknown({ description: 'The snapshot state, with `reset`.' })),
});

/** `GET /v1/streams/{stream}/events`: a page, a long-poll, or SSE. */
export const streamEventsRouteSchema = {
  tags: ['streams'],
  summary: "A stream's events: page, long-poll or SSE",
  description:
    'Events with `seq > after`. `wait=N` long-polls. `Accept: text/event-stream` answers Server-Sent ' +
    'Events (docs/protocol.md), resuming from the Last-Event-ID header; a reconnect to a final stream already ' +
    'seen to its end gets `204`.',
  security: TOKEN_OR_OPEN,
  params: StreamParams,
  querystring: Type.Object({
    [QUERY_PARAMS.after]: Type.Optional(After),
    [QUERY_PARAMS.limit]: Type.Optional(Limit),
    [QUERY_PARAMS.wait]: Type.Optional(Wait),
    [QUERY_PARAMS.epoch]: Type.Optional(EpochParam),
    [QUERY_PARAMS.label]: Type.Optional(Label),
    [QUERY_PARAMS.token]: Type.Optional(Token),
  }),
  response: {
    200: {
      description: 'A page of events (JSON), or the SSE stream.',
      content: {
        'application/json': { schema: EventsPage },
        [EVENT_STREAM_MEDIA_TYPE]: { schema: Type.String() },
      },
    },
    204: { description: 'SSE: the stream is final and the client has every event.', type: 'null' },
    304: NOT_MODIFIED,
    ...errorResponses(
      'invalid_request',
      'invalid_stream_name',
      'forbidden',
      'unavailable',
      'too_many_connections',
      'rate_limited',
    ),
  },
};

const HistoryPage = Type.Object({
  events: Type.Array(HeraldEvent),
  nextCursor: Type.Optional(Type.String({ description: "The next page's cursor; absent on the last page." })),
  endCursor: Type.Optional(
    Type.String({
      description:
        "An ascending page's end: the cursor right after its last event, else the request's cursor. " +
        'Follow the same filter live from it (`cursor=`) to continue where the page stopped.',
    }),
  ),
});

/** `GET /v1/events`. */
export const historyRouteSchema = {
  tags: ['history'],
  summary: 'History query across streams',
  description:
    '`tag.K=V` parameters filter on tags (at most one value per key). Any other parameter is refused ' +
    '(`400 invalid_request` naming it: `types=` or `tags.K=` would otherwise widen the query). ' +
    'Keyset pagination: follow `nextCursor`. ' +
    'The same filter is followed live (docs/protocol.md "Live feed"): `wait=N` long-polls, and ' +
    '`Accept: text/event-stream` answers Server-Sent Events whose `id:` is the cursor (Last-Event-ID resumes); ' +
    "live answers carry each event's `cursor`.",
  security: TOKEN_OR_OPEN,
  querystring: Type.Object(
    {
      // minLength: given empty (`stream=`) it is refused, not read as absent (every stream).
      [QUERY_PARAMS.stream]: Type.Optional(Type.String({ ...StreamName, minLength: 1 })),
      [QUERY_PARAMS.prefix]: Type.Optional(Prefix),
      [QUERY_PARAMS.type]: Type.Optional(
        Type.String({ minLength: 1, description: 'Comma-separated event types.', examples: ['job_started'] }),
      ),
      [QUERY_PARAMS.since]: Type.Optional(Time),
      [QUERY_PARAMS.until]: Type.Optional(Time),
      [QUERY_PARAMS.order]: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
      [QUERY_PARAMS.limit]: Type.Optional(Limit),
      [QUERY_PARAMS.cursor]: Type.Optional(Cursor),
      [QUERY_PARAMS.wait]: Type.Optional({
        ...Wait,
        description:
          'Follow the feed as a long-poll: hold an idle request up to this many seconds (0: answer at once). ' +
          'The answer carries `nextCursor`, absent only when the request had no cursor and nothing matched yet. ' +
          'Not with `order=desc`.',
      }),
      [QUERY_PARAMS.token]: Type.Optional(Token),
    },
    {
      patternProperties: { [`^${TAG_QUERY_PREFIX.replace('.', '\\.')}`]: Type.String() },
      // Any other parameter is refused: a typo (`types=`, `tags.K=`) would otherwise silently widen the query.
      additionalProperties: false,
    },
  ),
  response: {
    200: {
      description: 'A page of events (JSON), or the live feed as Server-Sent Events.',
      content: {
        'application/json': { schema: HistoryPage },
        [EVENT_STREAM_MEDIA_TYPE]: { schema: Type.String() },
      },
    },
    304: NOT_MODIFIED,
    ...errorResponses('invalid_request', 'invalid_stream_name', 'forbidden', 'unavailable', 'too_many_connections'),
  },
};

/** `GET /v1/sse`. */
export const multiStreamSseRouteSchema = {
  tags: ['streams'],
  summary: 'Server-Sent Events of several streams',
  description: 'One SSE response for many streams; each `id:` is a cursor of every position.',
  security: TOKEN_OR_OPEN,
  querystring: Type.Object({
    [QUERY_PARAMS.stream]: Type.Array(StreamName, {
      minItems: 1,
      description: 'Repeat for each stream.',
      examples: [['run:42', 'batch:b1']],
    }),
    [QUERY_PARAMS.cursor]: Type.Optional(Cursor),
    [QUERY_PARAMS.label]: Type.Optional(Label),
    [QUERY_PARAMS.token]: Type.Optional(Token),
  }),
  response: {
    200: { description: 'The SSE stream.', content: { [EVENT_STREAM_MEDIA_TYPE]: { schema: Type.String() } } },
    204: { description: 'Every stream is final and the cursor has seen it to its end.', type: 'null' },
    ...errorResponses(
      'invalid_request',
      'invalid_stream_name',
      'forbidden',
      'too_many_subscriptions',
      'too_many_connections',
    ),
  },
};

/** `GET /v1/streams/{stream}` parameters, as the schema leaves them. */
export type SnapshotQuery = Static<typeof snapshotRouteSchema.querystring>;
/** `GET /v1/streams` parameters, as the schema leaves them. */
export type StreamListQuery = Static<typeof streamListRouteSchema.querystring>;
/** `GET /v1/streams/{stream}/events` parameters, as the schema leaves them. */
export type StreamEventsQuery = Static<typeof streamEventsRouteSchema.querystring>;
/** `GET /v1/events` parameters, as the schema leaves them (`tag.K` filters besides). */
export type HistoryQueryParams = Static<typeof historyRouteSchema.querystring> & QueryParams;
/** `GET /v1/sse` parameters, as the schema leaves them. */
export type MultiStreamSseQuery = Static<typeof multiStreamSseRouteSchema.querystring>;
