import { Type } from 'typebox';
import { errorResponses } from './error-schemas.js';
import { PUBLIC } from './security.js';

/** What became of a webhook delivery (ingest-answer.ts). */
const IngestAnswer = Type.Object({
  outcome: Type.Union(['appended', 'stale', 'duplicate', 'ignored'].map((outcome) => Type.Literal(outcome))),
  stream: Type.Optional(Type.String()),
  id: Type.Optional(Type.String()),
  seq: Type.Optional(Type.Integer({ minimum: 1 })),
  reason: Type.Optional(
    Type.Union(['ping', 'unsupported_event', 'not_matched', 'stream_final'].map((reason) => Type.Literal(reason))),
  ),
  event: Type.Optional(Type.String()),
});

/**
 * The schema of a webhook ingest route, for the document only: the route reads its body as raw
 * bytes (the signature is an HMAC of them) and checks its headers itself, because a missing or bad
 * signature must be `401` with nothing read, not a schema's `400` (register-ingest.ts).
 */
export function ingestRouteSchema(
  summary: string,
  headers: Record<string, { description: string; examples?: string[] }>,
  bodyExamples: object[] = [],
) {
  return {
    tags: ['ingest'],
    summary,
    description:
      'Senders authenticate with the shared secret in the named header, not with a Herald token. ' +
      '`201` appended (or stale, kept for the record), `200` a redelivery, a ping or a late delivery ' +
      'to a final stream, `202` an event Herald does not map.',
    security: PUBLIC,
    headers: Type.Object(
      Object.fromEntries(Object.entries(headers).map(([name, options]) => [name, Type.String(options)])),
    ),
    body: Type.Object(
      {},
      { additionalProperties: true, description: 'The sender’s JSON payload.', examples: bodyExamples },
    ),
    response: {
      200: IngestAnswer,
      201: IngestAnswer,
      202: IngestAnswer,
      ...errorResponses(
        'invalid_request',
        'invalid_json',
        'invalid_stream_name',
        'payload_too_large',
        'state_too_large',
        'unsupported_media_type',
        'unavailable',
      ),
    },
  };
}

/** Request schemas of an ingest route are documentation only (see ingestRouteSchema). */
export const documentationOnlyValidator = () => () => true;
