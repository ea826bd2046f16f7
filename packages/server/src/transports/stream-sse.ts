import { HEADERS } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasSeenFinal } from '../delivery/resolve-resume.js';
import type { Hub } from '../fanout/hub.js';
import type { StreamEventsQuery } from '../http/schemas/read-route-schemas.js';
import type { LiveHandler } from '../http/stream-routes.js';
import type { EventLog } from '../log/event-log.js';
import type { Presence } from '../presence/presence.js';
import { resolveRequestWatcherName } from '../presence/watcher-name.js';
import { LiveSink } from './live-sink.js';
import { SSE_FRAME_ENCODER } from './sse-frames.js';
import { resolveSseResume } from './sse-resume.js';
import type { SseTransport } from './sse-transport.js';
import { openSubscription, type SubscriptionHandle } from './subscription-handle.js';

type StreamRequest = FastifyRequest<{ Params: { stream: string }; Querystring: StreamEventsQuery }>;

/**
 * `GET /v1/streams/{stream}/events` with `Accept: text/event-stream` (DESIGN "Server-Sent Events"):
 * resume from Last-Event-ID / `after`, events as `id: <seq>` data frames, then `event: live`, then
 * live events; `event: final` ends the response, and a reconnect at the final seq gets 204.
 */
export function createStreamSseHandler(
  deps: { hub: Hub; log: EventLog; presence: Presence },
  transport: SseTransport,
): LiveHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { params } = request as StreamRequest;
    // The events route has checked the stream name and read access (stream-events-route.ts).
    const { stream } = params;
    const { after, epoch } = resolveSseResume(request as StreamRequest);
    const name = resolveRequestWatcherName(request.principal, (request as StreamRequest).query);
    const snapshot = await deps.log.getSnapshot(stream);
    if (hasSeenFinal(snapshot, after, epoch)) return reply.code(204).header(HEADERS.cacheControl, 'no-store').send();

    let subscription: SubscriptionHandle | undefined;
    const connection = transport.open(request, reply, () => subscription?.close());
    const sink = new LiveSink(connection, stream, SSE_FRAME_ENCODER, {
      finished: () => connection.end('final'),
      failed: (_sink, error) => {
        // Ending the response makes EventSource reconnect with its Last-Event-ID: the retry is the client's.
        request.log.error({ err: error, stream }, 'SSE subscription failed');
        connection.end('failed');
      },
    });
    const position = epoch === undefined ? { after } : { after, epoch };
    subscription = openSubscription(
      { hub: deps.hub, log: deps.log, stream, ...position, sink },
      { presence: deps.presence, name },
    );
    return reply;
  };
}
