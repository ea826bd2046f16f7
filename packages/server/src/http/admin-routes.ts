import { assertStreamName, HeraldError } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { HeraldContext } from '../herald-context.js';
import { type QueryParams, readTime } from './query-params.js';

/** Registers the admin routes: `DELETE /v1/streams/{stream}` and `DELETE /v1/events?olderThan=`. */
export function registerAdminRoutes(app: FastifyInstance, ctx: HeraldContext): void {
  app.delete<{ Params: { stream: string } }>('/v1/streams/:stream', async (request, reply) => {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'admin');
    // Through the publisher, so every node's subscribers of the stream are told and reset.
    const deleted = await ctx.publisher.deleteStream(stream);
    return reply.header('cache-control', 'no-store').send({ stream, deleted });
  });

  app.delete<{ Querystring: QueryParams }>('/v1/events', async (request, reply) => {
    authorize(request.principal, 'admin');
    const olderThan = readTime(request.query, 'olderThan');
    if (olderThan === undefined) {
      throw new HeraldError('invalid_request', 'olderThan is required: an ISO 8601 date-time', {
        details: { path: 'olderThan' },
      });
    }
    const deleted = await ctx.log.deleteEventsOlderThan(olderThan);
    return reply.header('cache-control', 'no-store').send({ deleted });
  });
}
