import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_PATHS, type ErrorCode, HEADERS, HeraldError, isHeraldError } from '@herald/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DependencyFailureLog } from '../ops/dependency-failure-log.js';
import type { InFlightResponses } from './in-flight-responses.js';

/** Fastify's own error codes, mapped to Herald's (bad JSON, body too large, wrong media type…). */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_NOT_FOUND: 'not_found',
  FST_ERR_BAD_URL: 'invalid_request',
  // Only stream names are path parameters, and the router's length limit is far above the longest
  // valid (even percent-encoded) name: a parameter that long is no stream name.
  FST_ERR_MAX_PARAM_LENGTH: 'invalid_stream_name',
};

/**
 * Longest path parameter the router accepts. A valid stream name is at most 200 characters, 600
 * once each `:`/`@` is percent-encoded; Fastify's default (100) refused valid names with a 414.
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

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
    reply.header(HEADERS.retryAfter, String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return reply
    .code(error.status)
    .header(HEADERS.cacheControl, 'no-store')
    .type('application/json')
    .send(error.toBody());
}

/**
 * Fastify's `frameworkErrors` option: errors its router raises before any route runs (a URL that
 * does not decode, an over-long parameter) get Herald's envelope like every other error.
 */
export function sendFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  sendError(reply, toHeraldError(error));
}

/** A whole HTTP/1.1 error response, for sockets no Fastify reply exists for (refused upgrades, unparsable requests). */
export function encodeRawHttpError(error: HeraldError): string {
  const body = JSON.stringify(error.toBody());
  return (
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}\r\n` +
    'Connection: close\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (malformed, headers
 * over the size limit) is answered `400 invalid_request` in Herald's envelope, then the socket
 * closed, once the requests before it on the connection have been answered (`inFlight`).
 */
export function clientErrorHandler(inFlight: InFlightResponses) {
  return (error: Error & { code?: string }, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const message =
      error.code === 'HPE_HEADER_OVERFLOW' ? 'the request headers exceed the size limit' : 'malformed HTTP request';
    inFlight.whenSettled(socket, () => {
      if (socket.writable) socket.end(encodeRawHttpError(new HeraldError('invalid_request', message)));
      else socket.destroy();
    });
  };
}

const STREAM_ROUTE_SHAPE = new RegExp(`^${API_PATHS.streams}/([^/]+)(?:/events)?$`);

/** Installs the one error handler and the not-found handler on `app`. */
export function registerErrorHandling(app: FastifyInstance, dependencyFailures: DependencyFailureLog): void {
  app.setErrorHandler((error, request, reply) => {
    const heraldError = toHeraldError(error);
    if (heraldError.code === 'internal') request.log.error({ err: error }, 'request failed');
    dependencyFailures.report(heraldError, `${request.method} ${request.routeOptions.url ?? 'unmatched'}`);
    return sendError(reply, heraldError);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // GET of a stream route whose parameter is over the router's length limit falls through the
    // dashboard's catch-all to here, rather than raising FST_ERR_MAX_PARAM_LENGTH as other methods do.
    const streamParam = STREAM_ROUTE_SHAPE.exec(path)?.[1];
    if (streamParam !== undefined && streamParam.length > MAX_PATH_PARAM_LENGTH) {
      return sendError(reply, new HeraldError('invalid_stream_name', 'the stream name is too long'));
    }
    return sendError(reply, new HeraldError('not_found', `no route ${request.method} ${path}`));
  });
}
