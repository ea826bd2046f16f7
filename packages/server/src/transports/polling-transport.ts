import { DEFAULT_PAGE_LIMIT } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { timeUntilExpiryMs } from '../auth/on-principal-expiry.js';
import { LongPollWaits } from '../delivery/long-poll.js';
import type { Hub } from '../fanout/hub.js';
import { sendWithEtag } from '../http/etag.js';
import { encodeEventsPage, type ResolvedPage, readResolvedPage, resolveRead } from '../http/events-page.js';
import type { ReadCaching } from '../http/read-caching.js';
import type { StreamEventsQuery } from '../http/schemas/read-route-schemas.js';
import type { EventLog } from '../log/event-log.js';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';
import type { PollPresence } from '../presence/poll-presence.js';
import { resolveRequestWatcherName } from '../presence/watcher-name.js';
import type { LiveConnections } from './live-connections.js';
import { pollClientOf } from './poll-client.js';
import { sendFailure } from './send-failure.js';

/** An events request: `GET /v1/streams/{stream}/events`, its parameters judged by its schema. */
export type EventsRequest = FastifyRequest<{ Params: { stream: string }; Querystring: StreamEventsQuery }>;

/** What the polling transport works with. */
export interface PollingTransportDeps {
  log: EventLog;
  hub: Hub;
  /** Held long-polls are admitted as live connections (the per-IP limit), like an SSE response. */
  live: Pick<LiveConnections, 'admit'>;
  /** Long-polls the whole server may hold at once. */
  maxLongPolls: number;
  /** herald_long_polls_waiting. */
  longPollsWaiting: { inc(): void; dec(): void };
  shutdown: ShutdownHooks;
  caching: ReadCaching;
  /** A poll counts as a watcher of its stream while held and one heartbeat interval after its answer. */
  presence: PollPresence;
}

/**
 * The HTTP polling wires of `GET /v1/streams/{stream}/events` (DESIGN "Long-poll"): ETag polling
 * (a page at once, `304` when the client has it) and long-poll (`?wait=`: an idle stream's request
 * is held until its next event, an epoch change, the wait's end, the token's expiry or shutdown).
 * Neither goes through a Subscription: each answer is one page read from the log, with the resume
 * rule applied (events-page.ts), and the client's next request carries its position.
 */
export class PollingTransport {
  #deps: PollingTransportDeps;
  #longPolls: LongPollWaits;

  constructor(deps: PollingTransportDeps) {
    this.#deps = deps;
    this.#longPolls = new LongPollWaits(deps.hub, deps.longPollsWaiting, deps.maxLongPolls);
    deps.shutdown.add(() => this.#longPolls.stop());
  }

  /**
   * Answers an events request (stream name and read access already checked): a page at once, or a
   * held long-poll. The promise resolves as soon as a poll is held: the wait calls `#answerLongPoll`
   * when it is over, so what a waiting poll keeps is the wait and that one continuation.
   */
  async serve(request: EventsRequest, reply: FastifyReply): Promise<void> {
    const { stream } = request.params;
    const { after = 0, limit = DEFAULT_PAGE_LIMIT, wait = 0, epoch } = request.query;
    const waitMs = Math.min(
      wait * 1000,
      // A wait ends when the token expires; the answer then says so (#answerLongPoll).
      timeUntilExpiryMs(request.principal),
    );
    const name = resolveRequestWatcherName(request.principal, request.query);
    const page = await readResolvedPage(this.#deps.log, stream, after, limit, epoch);
    const isIdle = !page.isReset && page.read.events.length === 0 && !page.read.snapshot.final;
    if (!isIdle || waitMs === 0) {
      this.#deps.presence.answered(pollClientOf(request), stream, name);
      this.#sendPage(request, reply, page);
      return;
    }
    // The epoch the client was first answered in stays the reference, so a stream deleted and
    // recreated during the wait still yields a reset.
    const idleEpoch = page.read.snapshot.epoch;
    // A held poll is a connection like an SSE response: it counts against the client's limit.
    const release = this.#deps.live.admit(request.ip);
    const endHold = this.#deps.presence.hold(pollClientOf(request), stream, name);
    const onOver = (error?: unknown) => {
      release();
      endHold();
      if (error !== undefined) {
        sendFailure(request, reply, error);
        return;
      }
      this.#answerLongPoll(request, reply, after, limit, epoch ?? idleEpoch ?? undefined).catch((failure: unknown) =>
        sendFailure(request, reply, failure),
      );
    };
    try {
      this.#longPolls.hold(reply.raw, { stream, after, epoch: idleEpoch, waitMs }, onOver);
    } catch (error) {
      release();
      endHold();
      throw error;
    }
  }

  /** Sends a held long-poll's page: what the log holds after `after` once the wait is over. */
  async #answerLongPoll(
    request: EventsRequest,
    reply: FastifyReply,
    after: number,
    limit: number,
    epoch: string | undefined,
  ): Promise<void> {
    // The token may have expired during the wait: nothing published since may reach it.
    authorize(request.principal, 'read', request.params.stream);
    const log = this.#deps.log;
    const read = await log.readEvents(request.params.stream, after, limit);
    this.#sendPage(request, reply, await resolveRead(log, read, after, limit, epoch));
  }

  /** ETag polling: the page with its ETag, or 304 when the client already has it. */
  #sendPage(request: EventsRequest, reply: FastifyReply, page: ResolvedPage): void {
    const cacheControl = this.#deps.caching.forPage(page, request.query.epoch);
    sendWithEtag(request, reply, encodeEventsPage(page), cacheControl);
  }
}
