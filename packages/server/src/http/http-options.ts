import type { FastifyCorsOptions } from '@fastify/cors';
import { HEADERS } from '@herald/protocol';
import { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { redactTokenInUrl } from '../auth/request-token.js';
import type { HeraldConfig } from '../config/config.js';
import type { HeraldMetrics } from '../ops/metrics.js';

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

/** Records every HTTP request's latency by route pattern (not raw URL, to bound label cardinality). */
export function registerRequestMetrics(app: FastifyInstance, metrics: HeraldMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/** Request bodies are JSON or nothing: any other content type answers `415 unsupported_media_type`. */
export function acceptJsonBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
}
