import type { FastifyCorsOptions } from '@fastify/cors';
import { assertExactNumbers, HEADERS, HeraldError } from '@herald/protocol';
import { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { redactTokenInUrl } from '../auth/request-token.js';
import type { HeraldConfig } from '../config/config.js';
import type { HeraldMetrics } from '../ops/metrics.js';
import { decodeUtf8 } from './strict-utf8.js';

/** A destination for log lines (pino writes one JSON line per call). */
export interface LogStream {
  write(line: string): void;
}

/**
 * pino settings: tokens never reach the log, whether sent as `Authorization` or as `?token=`
 * (DESIGN "Auth": never logged). Lines go to `stream` when given, else stdout.
 */
export function loggerOptions(config: HeraldConfig, stream?: LogStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token'], censor: '[redacted]' },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactTokenInUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
  };
}

/** Per-request access logs only at debug level: at info, dashboards' polling would drown the log. */
export function requestLogController(config: HeraldConfig): LogController {
  return new LogController({ disableRequestLogging: !['debug', 'trace'].includes(config.logLevel) });
}

/** CORS for browsers (the dashboard may be served from elsewhere in development). */
export function corsOptions(config: HeraldConfig): FastifyCorsOptions {
  const isAnyOrigin = config.corsOrigins.includes('*');
  return {
    origin: isAnyOrigin ? true : config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      HEADERS.authorization,
      HEADERS.contentType,
      HEADERS.ifNoneMatch,
      HEADERS.lastEventId,
      HEADERS.cacheControl,
    ],
    exposedHeaders: [HEADERS.etag, HEADERS.retryAfter],
    maxAge: 600,
  };
}

/** The request headers that make an OPTIONS request a CORS preflight (Fetch standard). */
const PREFLIGHT_HEADERS = ['origin', 'access-control-request-method'] as const;

/**
 * Herald answers OPTIONS only as a CORS preflight (`204` with the access-control headers, by
 * @fastify/cors). Any other OPTIONS request (no `Origin`, or no `Access-Control-Request-Method`)
 * is no preflight, and Herald serves no other OPTIONS: it is `400 invalid_request` naming the
 * missing header, in Herald's envelope rather than @fastify/cors's text/plain refusal. Registered
 * before CORS, which would answer first.
 */
export function refuseNonPreflightOptions(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.method !== 'OPTIONS') return;
    const missing = PREFLIGHT_HEADERS.find((name) => !request.headers[name]);
    if (missing === undefined) return;
    throw new HeraldError(
      'invalid_request',
      `an OPTIONS request must be a CORS preflight: the ${missing} header is missing`,
      {
        details: { path: `headers.${missing}` },
      },
    );
  });
}

/** Records every HTTP request's latency by route pattern (not raw URL, to bound label cardinality). */
export function registerRequestMetrics(app: FastifyInstance, metrics: HeraldMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/** Methods whose Herald routes take no body. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'DELETE']);

/**
 * Request bodies are JSON or nothing: any other content type answers `415 unsupported_media_type`.
 * An empty body labelled `application/json` is no body on a DELETE or GET (generic HTTP clients
 * set the header on every request); elsewhere it stays `invalid_json`.
 */
export function acceptJsonBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  // Bodies are parsed by plain JSON.parse rules; prototype members are refused later, by
  // @herald/protocol, on every transport alike (see server.ts).
  const parseJson = app.getDefaultJsonParser('ignore', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    const isNoBody = bytes.length === 0 && BODYLESS_METHODS.has(request.method);
    if (isNoBody) return done(null, undefined);
    const text = decodeUtf8(bytes);
    if (text === undefined) return done(new HeraldError('invalid_json', 'the body is not valid UTF-8'), undefined);
    // An integer JSON.parse would round is refused, as on WebSocket, rather than stored altered.
    try {
      assertExactNumbers(text);
    } catch (error) {
      return done(error as HeraldError, undefined);
    }
    parseJson(request, text, done);
  });
}

/** Whether every `%XX` escape of a raw query string is complete and spells UTF-8. */
function hasWellFormedEscapes(rawQuery: string): boolean {
  try {
    decodeURIComponent(rawQuery);
    return true;
  } catch {
    return false;
  }
}

/**
 * A query string with a broken escape (`%FF`, `%E2%82`, `%zz`) is `400 invalid_request`, as such a
 * path is: Fastify's parser would pass it on as literal text, so `tag.a=%FF` would quietly filter
 * on the three characters `%FF`.
 */
export function refuseMalformedQueryStrings(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const at = request.url.indexOf('?');
    if (at !== -1 && !hasWellFormedEscapes(request.url.slice(at + 1))) {
      throw new HeraldError('invalid_request', 'the query string has an invalid percent-encoding', {
        details: { path: 'query' },
      });
    }
  });
}
