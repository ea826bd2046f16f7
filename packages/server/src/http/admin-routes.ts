import { API_PATHS, assertStreamName, HEADERS, HeraldError, QUERY_PARAMS, ROUTE_PATTERNS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Publisher } from '../delivery/publisher.js';
import type { EventLog } from '../log/event-log.js';
import { type QueryParams, readTime } from './query-params.js';

/** Registers the admin routes: `DELETE /v1/streams/{stream}` and `DELETE /v1/events?olderThan=`. */
export function registerAdminRoutes(
  app: FastifyInstance,
  ctx: { publisher: Pick<Publisher, 'deleteStream'>; log: Pick<EventLog, 'deleteEventsOlderThan'> },
): void {
  app.delete<{ Params: { stream: string } }>(ROUTE_PATTERNS.stream, async (request, reply) => {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'admin');
    // Through the publisher, so every node's subscribers of the stream are told and reset.
    const deleted = await ctx.publisher.deleteStream(stream);
    return reply.header(HEADERS.cacheControl, 'no-store').send({ stream, deleted });
  });

  app.delete<{ Querystring: QueryParams }>(API_PATHS.events, async (request, reply) => {
    authorize(request.principal, 'admin');
    const olderThan = readTime(request.query, QUERY_PARAMS.olderThan);
    if (olderThan === undefined) {
      throw new HeraldError('invalid_request', 'olderThan is required: an ISO 8601 date-time', {
        details: { path: QUERY_PARAMS.olderThan },
      });
    }
    const deleted = await ctx.log.deleteEventsOlderThan(olderThan);
    return reply.header(HEADERS.cacheControl, 'no-store').send({ deleted });
  });
}
