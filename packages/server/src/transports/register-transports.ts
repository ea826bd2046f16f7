import type { FastifyInstance } from 'fastify';
import type { HeraldContext } from '../herald-context.js';
import type { LiveHandlers } from '../http/stream-routes.js';
import { registerMultiStreamSse } from './multi-stream-sse.js';
import { SseTransport } from './sse-transport.js';
import { StreamListWatch } from './stream-list-watch.js';
import { createStreamSseHandler } from './stream-sse.js';
import { resolveTransportOptions, type TransportOptions } from './transport-options.js';
import { WebSocketTransport } from './websocket-transport.js';

/** The live transports of a server, once registered. */
export interface LiveTransports {
  /** Hand these to `registerStreamRoutes`: its routes dispatch `Accept: text/event-stream` to them. */
  live: LiveHandlers;
  websocket: WebSocketTransport;
  sse: SseTransport;
}

/**
 * Registers WebSocket (`GET /v1/ws`, on the app's HTTP server `upgrade`), multi-stream SSE
 * (`GET /v1/sse`) and the SSE handlers of the stream routes; both transports join graceful shutdown.
 */
export function registerTransports(
  app: FastifyInstance,
  ctx: HeraldContext,
  options: Partial<TransportOptions> = {},
): LiveTransports {
  const resolved = resolveTransportOptions(options);
  const sse = new SseTransport(ctx, resolved);
  const websocket = new WebSocketTransport(ctx, resolved);
  websocket.attach(app.server);
  registerMultiStreamSse(app, ctx, sse);
  const streamListWatch = new StreamListWatch(ctx, sse);
  return {
    live: { streamEvents: createStreamSseHandler(ctx, sse), streamList: streamListWatch.handle },
    websocket,
    sse,
  };
}
