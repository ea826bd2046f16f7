import { API_PATHS, HEADERS, QUERY_PARAMS, ROUTE_PATTERNS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Publisher } from '../delivery/publisher.js';
import type { EventLog } from '../log/event-log.js';
import { type QueryParams, readTime } from './query-params.js';
import { deleteEventsRouteSchema, deleteStreamRouteSchema } from './schemas/write-route-schemas.js';

/** Registers the admin routes: `DELETE /v1/streams/{stream}` and `DELETE /v1/events?olderThan=`. */
export function registerAdminRoutes(
  app: FastifyInstance,
  ctx: { publisher: Pick<Publisher, 'deleteStream'>; log: Pick<EventLog, 'deleteEventsOlderThan'> },
): void {
  app.delete<{ Params: { stream: string } }>(
    ROUTE_PATTERNS.stream,
    { schema: deleteStreamRouteSchema },
    async (request, reply) => {
      const { stream } = request.params;
      authorize(request.principal, 'admin');
      // Through the publisher, so every node's subscribers of the stream are told and reset.
      const deleted = await ctx.publisher.deleteStream(stream);
      return reply.header(HEADERS.cacheControl, 'no-store').send({ stream, deleted });
    },
  );

  app.delete<{ Querystring: QueryParams }>(
    API_PATHS.events,
    { schema: deleteEventsRouteSchema },
    async (request, reply) => {
      authorize(request.principal, 'admin');
      // Required by the schema; its calendar is checked here (JSON Schema's date-time is stricter than Herald's).
      const olderThan = readTime(request.query, QUERY_PARAMS.olderThan)!;
      const deleted = await ctx.log.deleteEventsOlderThan(olderThan);
      return reply.header(HEADERS.cacheControl, 'no-store').send({ deleted });
    },
  );
}
