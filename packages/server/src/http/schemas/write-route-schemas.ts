import { QUERY_PARAMS } from '@herald/protocol';
import { Type } from 'typebox';
import { errorResponses } from './error-schemas.js';
import { MultiPublishBody, MultiPublishResult, PublishBody, PublishResult, StreamName } from './event-schemas.js';
import { Time } from './query-schemas.js';
import { TOKEN_OR_OPEN } from './security.js';

const PUBLISH_ERRORS = errorResponses(
  'invalid_request',
  'invalid_json',
  'invalid_stream_name',
  'forbidden',
  'stream_final',
  'seq_conflict',
  'id_conflict',
  'payload_too_large',
  'state_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
);

/** `POST /v1/streams/{stream}/events`. */
export const publishRouteSchema = {
  tags: ['publish'],
  summary: 'Publish one event or an atomic batch to a stream',
  description: '`201` when anything was appended; `200` when every event was an idempotent repeat (same `id`).',
  security: TOKEN_OR_OPEN,
  params: Type.Object({ stream: StreamName }),
  body: PublishBody,
  response: { 200: PublishResult, 201: PublishResult, ...PUBLISH_ERRORS },
};

/** `POST /v1/events`. */
export const multiPublishRouteSchema = {
  tags: ['publish'],
  summary: 'Publish an atomic batch across streams',
  security: TOKEN_OR_OPEN,
  body: MultiPublishBody,
  response: { 200: MultiPublishResult, 201: MultiPublishResult, ...PUBLISH_ERRORS },
};

/** `DELETE /v1/streams/{stream}`. */
export const deleteStreamRouteSchema = {
  tags: ['admin'],
  summary: 'Delete a stream (admin)',
  description: 'Its subscribers get a reset; publishing again makes the stream anew, with a new epoch.',
  security: TOKEN_OR_OPEN,
  params: Type.Object({ stream: StreamName }),
  response: {
    200: Type.Object({ stream: StreamName, deleted: Type.Boolean({ description: 'Whether the stream existed.' }) }),
    ...errorResponses('invalid_stream_name', 'forbidden', 'unavailable'),
  },
};

/** `DELETE /v1/events?olderThan=`. */
export const deleteEventsRouteSchema = {
  tags: ['admin'],
  summary: 'Delete events older than a time (admin)',
  security: TOKEN_OR_OPEN,
  querystring: Type.Object({
    [QUERY_PARAMS.olderThan]: { ...Time, examples: ['2000-01-01T00:00:00Z'] },
  }),
  response: {
    200: Type.Object({ deleted: Type.Integer({ minimum: 0, description: 'How many events were deleted.' }) }),
    ...errorResponses('invalid_request', 'forbidden', 'unavailable'),
  },
};
