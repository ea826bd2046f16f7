import {
  API_PATHS,
  HEADERS,
  type MultiPublishResult,
  type PublishResult,
  parseMultiPublishBody,
  parsePublishBody,
  ROUTE_PATTERNS,
  type StreamEventInput,
} from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Publisher } from '../delivery/publisher.js';
import type { Limits } from '../limits/limits.js';
import type { AppendOutcome } from '../log/event-log.js';
import { multiPublishRouteSchema, publishRouteSchema } from './schemas/write-route-schemas.js';

/** `201` when anything was appended, `200` when every event was an idempotent repeat (G5). */
function statusOf(outcome: AppendOutcome): 200 | 201 {
  return outcome.results.every((result) => result.duplicate) ? 200 : 201;
}

/** Registers `POST /v1/streams/{stream}/events` and `POST /v1/events` (cross-stream, atomic). */
export function registerPublishRoutes(
  app: FastifyInstance,
  ctx: { publisher: Pick<Publisher, 'publish'>; limits: Pick<Limits, 'publishRate' | 'event'> },
): void {
  function publish(request: FastifyRequest, entries: StreamEventInput[]): Promise<AppendOutcome> {
    for (const stream of new Set(entries.map((entry) => entry.stream))) authorize(request.principal, 'publish', stream);
    ctx.limits.publishRate.take(request.principal, request.ip, entries.length);
    return ctx.publisher.publish(entries, 'http');
  }

  // The schemas judge the shape; parse*Body then apply @herald/protocol's event rules (sizes,
  // storable JSON), as the WebSocket transport and the client do.
  const streamOptions = { schema: publishRouteSchema };
  app.post<{ Params: { stream: string } }>(
    ROUTE_PATTERNS.streamEvents,
    streamOptions,
    async (request, reply: FastifyReply) => {
      const { stream } = request.params;
      const events = parsePublishBody(request.body, ctx.limits.event);
      const outcome = await publish(
        request,
        events.map((event) => ({ stream, ...event })),
      );
      const head = outcome.heads.find((candidate) => candidate.stream === stream)!;
      const result: PublishResult = {
        stream,
        epoch: head.epoch,
        seq: head.seq,
        events: outcome.results.map(({ id, seq }) => ({ id, seq })),
      };
      return reply.code(statusOf(outcome)).header(HEADERS.cacheControl, 'no-store').send(result);
    },
  );

  app.post(API_PATHS.events, { schema: multiPublishRouteSchema }, async (request, reply) => {
    const outcome = await publish(request, parseMultiPublishBody(request.body, ctx.limits.event));
    const result: MultiPublishResult = {
      streams: outcome.heads,
      events: outcome.results.map(({ stream, id, seq }) => ({ stream, id, seq })),
    };
    return reply.code(statusOf(outcome)).header(HEADERS.cacheControl, 'no-store').send(result);
  });
}
