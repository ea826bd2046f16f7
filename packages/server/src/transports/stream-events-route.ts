import { ROUTE_PATTERNS } from '@herald/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { streamEventsRouteSchema } from '../http/schemas/read-route-schemas.js';
import { type LiveHandler, wantsEventStream } from '../http/stream-routes.js';
import type { EventsRequest, PollingTransport } from './polling-transport.js';
import { sendFailure } from './send-failure.js';

/**
 * Registers `GET /v1/streams/{stream}/events`, one URL for three wires: `Accept:
 * text/event-stream` goes to SSE, anything else to ETag polling or long-poll.
 */
export function registerStreamEventsRoute(app: FastifyInstance, sse: LiveHandler, polling: PollingTransport): void {
  async function serveEvents(request: EventsRequest, reply: FastifyReply): Promise<void> {
    const { stream } = request.params;
    authorize(request.principal, 'read', stream);
    if (wantsEventStream(request)) await sse(request, reply);
    else await polling.serve(request, reply);
  }

  // Not async: a long-poll held by this route then keeps no suspended frame (see PollingTransport.serve).
  app.get(ROUTE_PATTERNS.streamEvents, { schema: streamEventsRouteSchema }, (request: EventsRequest, reply) => {
    serveEvents(request, reply).catch((error: unknown) => sendFailure(request, reply, error));
  });
}
