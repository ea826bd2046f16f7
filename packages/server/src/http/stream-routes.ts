import {
  API_PATHS,
  assertStreamName,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  QUERY_PARAMS,
  ROUTE_PATTERNS,
} from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { EventLog } from '../log/event-log.js';
import { sendWithEtag } from './etag.js';
import { type QueryParams, readInteger, readPrefix, readString } from './query-params.js';
import type { ReadCaching } from './read-caching.js';

/** Serves a live stream request itself (SSE); registered by the transports when they exist. */
export type LiveHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/** Whether the client asks for Server-Sent Events. */
export function wantsEventStream(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/event-stream') === true;
}

/** What the stream routes work with. */
export interface StreamRoutesDeps {
  log: EventLog;
  caching: ReadCaching;
  /** `GET /v1/streams?watch=1` as SSE, when the transports are registered. */
  watchStreamList?: LiveHandler;
}

/**
 * Registers the stream snapshot and stream list routes. The events route
 * (`/v1/streams/{stream}/events`: SSE, ETag polling, long-poll) belongs to the transports.
 */
export function registerStreamRoutes(app: FastifyInstance, deps: StreamRoutesDeps): void {
  const { log, caching, watchStreamList } = deps;

  app.get<{ Params: { stream: string } }>(ROUTE_PATTERNS.stream, async (request, reply) => {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'read', stream);
    const snapshot = await log.getSnapshot(stream);
    return sendWithEtag(request, reply, JSON.stringify(snapshot), caching.revalidate);
  });

  app.get<{ Querystring: QueryParams }>(API_PATHS.streams, async (request, reply) => {
    const query = request.query;
    const prefix = readPrefix(query);
    authorize(request.principal, 'read', `${prefix}*`);
    if (watchStreamList && wantsEventStream(request) && readString(query, QUERY_PARAMS.watch) === '1') {
      return watchStreamList(request, reply);
    }
    const cursor = readString(query, QUERY_PARAMS.cursor);
    const page = await log.listStreams({
      ...(prefix === '' ? {} : { prefix }),
      limit: readInteger(query, QUERY_PARAMS.limit, DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT),
      ...(cursor === undefined ? {} : { cursor }),
    });
    return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
  });
}
