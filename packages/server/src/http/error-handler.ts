import { type ErrorCode, HeraldError, isHeraldError } from '@herald/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** Fastify's own error codes, mapped to Herald's (bad JSON, body too large, wrong media type…). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_NOT_FOUND: 'not_found',
};

/**
 * The one mapping from a throwable to a HeraldError. Fastify's errors get their protocol code;
 * other 4xx errors from Fastify become `invalid_request`; anything else is `internal`.
 */
export function toHeraldError(error: unknown): HeraldError {
  if (isHeraldError(error)) return error;
  const fastifyError = error as Partial<FastifyError> | null;
  const mapped = fastifyError?.code === undefined ? undefined : FASTIFY_CODES[fastifyError.code];
  if (mapped) return new HeraldError(mapped, fastifyError?.message ?? mapped, { cause: error });
  const status = fastifyError?.statusCode;
  const isClientError = typeof status === 'number' && status >= 400 && status < 500;
  if (isClientError)
    return new HeraldError('invalid_request', fastifyError?.message ?? 'bad request', { cause: error });
  return new HeraldError('internal', 'internal error', { cause: error });
}

/** Sends `error` as `status + {"error": {code, message, details?}}`, never cached. */
export function sendError(reply: FastifyReply, error: HeraldError): FastifyReply {
  const retryAfterMs = (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfterMs === 'number')
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return reply.code(error.status).header('cache-control', 'no-store').type('application/json').send(error.toBody());
}

/** Installs the one error handler and the not-found handler on `app`. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const heraldError = toHeraldError(error);
    if (heraldError.code === 'internal') request.log.error({ err: error }, 'request failed');
    return sendError(reply, heraldError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HeraldError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
