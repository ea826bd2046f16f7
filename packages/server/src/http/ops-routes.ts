import { HeraldError } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import type { HeraldContext } from '../herald-context.js';

/** Registers `GET /healthz` (liveness), `GET /readyz` (store and broker reachable) and `GET /metrics`. */
export function registerOpsRoutes(app: FastifyInstance, ctx: HeraldContext): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (ctx.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
    const [store, broker] = await Promise.allSettled([ctx.log.checkHealth(), ctx.broker.checkHealth()]);
    if (store.status === 'rejected' || broker.status === 'rejected') {
      throw new HeraldError('unavailable', 'not ready', {
        details: {
          store: store.status === 'fulfilled' ? 'up' : 'down',
          broker: broker.status === 'fulfilled' ? 'up' : 'down',
        },
      });
    }
    return reply.header('cache-control', 'no-store').send({ status: 'ready', store: 'up', broker: 'up' });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.header('cache-control', 'no-store').type(ctx.metrics.registry.contentType).send(body);
  });
}
