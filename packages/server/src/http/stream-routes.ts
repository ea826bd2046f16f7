import { assertStreamName, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, MAX_WAIT_SECONDS } from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { LongPollWaits } from '../delivery/long-poll.js';
import type { HeraldContext } from '../herald-context.js';
import { toHeraldError } from './error-handler.js';
import { sendWithEtag } from './etag.js';
import { encodeEventsPage, type ResolvedPage, readResolvedPage, resolveRead } from './events-page.js';
import { type QueryParams, readInteger, readPrefix, readString } from './query-params.js';
import { createReadCaching } from './read-caching.js';

/** Serves a live stream request itself (SSE); registered by the transports when they exist. */
export type LiveHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/** Live handlers the stream routes hand `Accept: text/event-stream` requests to. */
export interface LiveHandlers {
  /** `GET /v1/streams/{stream}/events` as SSE. */
  streamEvents?: LiveHandler;
  /** `GET /v1/streams?watch=1` as SSE. */
  streamList?: LiveHandler;
}

type EventsRequest = FastifyRequest<{ Params: { stream: string }; Querystring: QueryParams }>;

/** How long the request's credential stays valid, in ms (Infinity when it never expires). */
function timeUntilExpiryMs(principal: Principal): number {
  return principal.expiresAtMs === undefined
    ? Number.POSITIVE_INFINITY
    : Math.max(0, principal.expiresAtMs - Date.now());
}

function wantsEventStream(request: FastifyRequest): boolean {
  return request.headers.accept?.includes('text/event-stream') === true;
}

/**
 * What Fastify does with an async handler's rejection, for a handler that answers later: the error
 * handler answers it, unless the reply was already sent (then it is only logged).
 */
function sendFailure(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (reply.sent) {
    request.log.error({ err: error }, 'Promise errored, but reply.sent = true was set');
    return;
  }
  reply.send(error instanceof Error ? error : toHeraldError(error));
}

/** Registers the stream snapshot, events page (with long-poll) and stream list routes. */
export function registerStreamRoutes(app: FastifyInstance, ctx: HeraldContext, live: LiveHandlers = {}): void {
  const caching = createReadCaching(ctx.config);
  const sendPage = (request: EventsRequest, reply: FastifyReply, page: ResolvedPage) =>
    sendWithEtag(request, reply, encodeEventsPage(page), caching.forPage(page, readString(request.query, 'epoch')));
  const longPolls = new LongPollWaits(ctx.hub, ctx.metrics.longPollsWaiting, ctx.limits.maxLongPolls);
  ctx.shutdown.add(() => longPolls.stop());

  app.get<{ Params: { stream: string } }>('/v1/streams/:stream', async (request, reply) => {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'read', stream);
    const snapshot = await ctx.log.getSnapshot(stream);
    return sendWithEtag(request, reply, JSON.stringify(snapshot), caching.revalidate);
  });

  // Not async: a long-poll held by this route then keeps no suspended frame (see serveEvents).
  app.get('/v1/streams/:stream/events', (request: EventsRequest, reply) => {
    serveEvents(request, reply).catch((error: unknown) => sendFailure(request, reply, error));
  });

  /**
   * Answers an events request: SSE (handed to the live handler), a page at once, or a long-poll.
   * A long-poll's promise resolves as soon as it is held: the wait calls `answerLongPoll` when it
   * is over, so what a waiting poll keeps is the wait and that one continuation.
   */
  async function serveEvents(request: EventsRequest, reply: FastifyReply): Promise<void> {
    const { stream } = request.params;
    assertStreamName(stream);
    authorize(request.principal, 'read', stream);
    if (live.streamEvents && wantsEventStream(request)) {
      await live.streamEvents(request, reply);
      return;
    }
    const query = request.query;
    const after = readInteger(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = readInteger(query, 'limit', DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT);
    const waitMs = Math.min(
      readInteger(query, 'wait', 0, 0, MAX_WAIT_SECONDS) * 1000,
      // A wait ends when the token expires; the answer then says so (answerLongPoll).
      timeUntilExpiryMs(request.principal),
    );
    const epoch = readString(query, 'epoch');
    const page = await readResolvedPage(ctx.log, stream, after, limit, epoch);
    const isIdle = !page.isReset && page.read.events.length === 0 && !page.read.snapshot.final;
    if (!isIdle || waitMs === 0) {
      sendPage(request, reply, page);
      return;
    }
    // The epoch the client was first answered in stays the reference, so a stream deleted and
    // recreated during the wait still yields a reset.
    const idleEpoch = page.read.snapshot.epoch;
    // A held poll is a connection like an SSE response: it counts against the client's limit.
    const release = ctx.limits.connections.acquire(request.ip);
    const onOver = (error?: unknown) => {
      release();
      if (error !== undefined) {
        sendFailure(request, reply, error);
        return;
      }
      answerLongPoll(request, reply, after, limit, epoch ?? idleEpoch ?? undefined).catch((failure: unknown) =>
        sendFailure(request, reply, failure),
      );
    };
    try {
      longPolls.hold(reply.raw, { stream, after, epoch: idleEpoch, waitMs }, onOver);
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Sends a held long-poll's page: what the log holds after `after` once the wait is over. */
  async function answerLongPoll(
    request: EventsRequest,
    reply: FastifyReply,
    after: number,
    limit: number,
    epoch: string | undefined,
  ): Promise<void> {
    // The token may have expired during the wait: nothing published since may reach it.
    authorize(request.principal, 'read', request.params.stream);
    const read = await ctx.log.readEvents(request.params.stream, after, limit);
    sendPage(request, reply, await resolveRead(ctx.log, read, after, limit, epoch));
  }

  app.get<{ Querystring: QueryParams }>('/v1/streams', async (request, reply) => {
    const query = request.query;
    const prefix = readPrefix(query);
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
    return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
  });
}
