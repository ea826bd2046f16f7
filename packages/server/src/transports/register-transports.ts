import type { FastifyInstance } from 'fastify';
import type { HeraldContext } from '../herald-context.js';
import type { ReadCaching } from '../http/read-caching.js';
import type { LiveHandler } from '../http/stream-routes.js';
import { registerMultiStreamSse } from './multi-stream-sse.js';
import { PollingTransport } from './polling-transport.js';
import { SseTransport } from './sse-transport.js';
import { registerStreamEventsRoute } from './stream-events-route.js';
import { StreamListWatch } from './stream-list-watch.js';
import { createStreamSseHandler } from './stream-sse.js';
import { resolveTransportOptions, type TransportOptions } from './transport-options.js';
import { WebSocketTransport } from './websocket-transport.js';

/** The live transports of a server, once registered. */
export interface LiveTransports {
  /** Hand this to `registerStreamRoutes`: `GET /v1/streams?watch=1` as SSE. */
  watchStreamList: LiveHandler;
  websocket: WebSocketTransport;
  sse: SseTransport;
}

/**
 * Registers the four wires: WebSocket (`GET /v1/ws`, on the app's HTTP server `upgrade`),
 * multi-stream SSE (`GET /v1/sse`), and `GET /v1/streams/{stream}/events` as SSE, ETag polling
 * and long-poll. Every transport joins graceful shutdown.
 */
export function registerTransports(
  app: FastifyInstance,
  ctx: HeraldContext,
  caching: ReadCaching,
  options: Partial<TransportOptions> = {},
): LiveTransports {
  const resolved = resolveTransportOptions(options);
  const sse = new SseTransport(ctx, resolved);
  const websocket = new WebSocketTransport(ctx, resolved);
  websocket.attach(app.server);
  registerMultiStreamSse(app, ctx, sse);
  const polling = new PollingTransport({
    log: ctx.log,
    hub: ctx.hub,
    connections: ctx.limits.connections,
    maxLongPolls: ctx.limits.maxLongPolls,
    longPollsWaiting: ctx.metrics.longPollsWaiting,
    shutdown: ctx.shutdown,
    caching,
  });
  registerStreamEventsRoute(app, createStreamSseHandler(ctx, sse), polling);
  const streamListWatch = new StreamListWatch(ctx, sse);
  return { watchStreamList: streamListWatch.handle, websocket, sse };
}
