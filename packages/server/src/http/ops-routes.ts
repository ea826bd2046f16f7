import { API_PATHS, HEADERS, HeraldError } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../fanout/broker.js';
import type { EventLog } from '../log/event-log.js';
import type { HeraldMetrics } from '../ops/metrics.js';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';
import { healthRouteSchema, metricsRouteSchema, readyRouteSchema } from './schemas/ops-route-schemas.js';

/** Registers `GET /healthz` (liveness), `GET /readyz` (store reachable; broker reported) and `GET /metrics`. */
export function registerOpsRoutes(
  app: FastifyInstance,
  ctx: {
    shutdown: Pick<ShutdownHooks, 'isShuttingDown'>;
    log: Pick<EventLog, 'checkHealth'>;
    broker: Pick<Broker, 'checkHealth'>;
    metrics: Pick<HeraldMetrics, 'registry'>;
  },
): void {
  app.get(API_PATHS.health, { schema: healthRouteSchema }, async (_request, reply) =>
    reply.header(HEADERS.cacheControl, 'no-store').send({ status: 'ok' }),
  );

  app.get(API_PATHS.ready, { schema: readyRouteSchema }, async (_request, reply) => {
    if (ctx.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
    const [store, broker] = await Promise.allSettled([ctx.log.checkHealth(), ctx.broker.checkHealth()]);
    const health = {
      store: store.status === 'fulfilled' ? 'up' : 'down',
      broker: broker.status === 'fulfilled' ? 'up' : 'down',
    };
    if (health.store === 'down') throw new HeraldError('unavailable', 'not ready', { details: health });
    // Without the broker a node still serves every client correctly (its hub polls the store), and
    // a shared broker's outage hits every node at once: failing readiness would pull them all.
    const status = health.broker === 'up' ? 'ready' : 'degraded';
    return reply.header(HEADERS.cacheControl, 'no-store').send({ status, ...health });
  });

  app.get(API_PATHS.metrics, { schema: metricsRouteSchema }, async (_request, reply) => {
    const body = await ctx.metrics.registry.metrics();
    return reply.header(HEADERS.cacheControl, 'no-store').type(ctx.metrics.registry.contentType).send(body);
  });
}
