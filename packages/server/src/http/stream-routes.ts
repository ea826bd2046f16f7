import { assertStreamName, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_WAIT_SECONDS } from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { LongPollWaits } from '../delivery/long-poll.js';
import type { HeraldContext } from '../herald-context.js';
import { sendWithEtag } from './etag.js';
import { encodeEventsPage, isSettledPage, readResolvedPage, resolveRead } from './events-page.js';
import { type QueryParams, readInteger, readString } from './query-params.js';

/** Serves a live stream request itself (SSE); registered by the transports when they exist. */
export type LiveHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/** Live handlers the stream routes hand `Accept: text/event-stream` requests to. */
export interface LiveHandlers {
  /** `GET /v1/streams/{stream}/events` as SSE. */
  streamEvents?: LiveHandler;
  /** `GET /v1/streams?watch=1` as SSE. */
  streamList?: LiveHandler;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

function wantsEventStream(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/event-stream') === true;
}

/** Registers the stream snapshot, events page (with long-poll) and stream list routes. */
export function registerStreamRoutes(app: FastifyInstance, ctx: HeraldContext, live: LiveHandlers = {}): void {
  const longPolls = new LongPollWaits(ctx.hub, ctx.metrics.longPollsWaiting);
  ctx.shutdown.add(() => longPolls.stop());

  app.get<{ Params: { stream: string } }>('/v1/streams/:stream', async (request, reply) => {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'read', stream);
    const snapshot = await ctx.log.getSnapshot(stream);
    return sendWithEtag(request, reply, JSON.stringify(snapshot), REVALIDATE);
  });

  app.get<{ Params: { stream: string }; Querystring: QueryParams }>(
    '/v1/streams/:stream/events',
    async (request, reply) => {
      const { stream } = request.params;
      assertStreamName(stream);
      authorize(request.principal, 'read', stream);
      if (live.streamEvents && wantsEventStream(request)) return live.streamEvents(request, reply);
      const query = request.query;
      const after = readInteger(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = readInteger(query, 'limit', DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT);
      const waitMs = readInteger(query, 'wait', 0, 0, MAX_WAIT_SECONDS) * 1000;
      const epoch = readString(query, 'epoch');
      let page = await readResolvedPage(ctx.log, stream, after, limit, epoch);
      const isIdle = !page.isReset && page.read.events.length === 0 && !page.read.snapshot.final;
      if (isIdle && waitMs > 0) {
        // The epoch the client was first answered in stays the reference, so a stream deleted and
        // recreated during the wait still yields a reset.
        const idleEpoch = page.read.snapshot.epoch;
        // Held in this handler's one async frame, not in nested ones: thousands wait at once.
        await longPolls.hold(reply.raw, { stream, after, epoch: idleEpoch, waitMs });
        const read = await ctx.log.readEvents(stream, after, limit);
        page = await resolveRead(ctx.log, read, after, limit, epoch ?? idleEpoch ?? undefined);
      }
      const cacheControl = isSettledPage(page) ? IMMUTABLE : REVALIDATE;
      return sendWithEtag(request, reply, encodeEventsPage(page), cacheControl);
    },
  );

  app.get<{ Querystring: QueryParams }>('/v1/streams', async (request, reply) => {
    const query = request.query;
    const prefix = readString(query, 'prefix') ?? '';
    authorize(request.principal, 'read', `${prefix}*`);
    if (live.streamList && wantsEventStream(request) && readString(query, 'watch') === '1') {
      return live.streamList(request, reply);
    }
    const cursor = readString(query, 'cursor');
    const page = await ctx.log.listStreams({
      ...(prefix === '' ? {} : { prefix }),
      limit: readInteger(query, 'limit', DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT),
      ...(cursor === undefined ? {} : { cursor }),
    });
    return sendWithEtag(request, reply, JSON.stringify(page), REVALIDATE);
  });
}
