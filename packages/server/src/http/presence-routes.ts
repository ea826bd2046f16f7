import { HEADERS, ROUTE_PATTERNS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Presence } from '../presence/presence.js';
import { presenceRouteSchema } from './schemas/read-route-schemas.js';

/**
 * Registers `GET /v1/streams/{stream}/presence` (docs/protocol.md "Presence"): who watches the
 * stream now, on every node, for a principal that may read it. `no-store`: a count a cache held
 * would outlive the watchers it counts.
 */
export function registerPresenceRoutes(app: FastifyInstance, ctx: { presence: Pick<Presence, 'read'> }): void {
  app.get<{ Params: { stream: string } }>(
    ROUTE_PATTERNS.streamPresence,
    { schema: presenceRouteSchema },
    async (request, reply) => {
      const { stream } = request.params;
      authorize(request.principal, 'read', stream);
      return reply.header(HEADERS.cacheControl, 'no-store').send(await ctx.presence.read(stream));
    },
  );
}
