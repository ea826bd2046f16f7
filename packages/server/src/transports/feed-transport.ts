import { encodeSseControl, type FeedEvent, type FeedPage } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorizeFilter } from '../auth/authorize.js';
import { timeUntilExpiryMs } from '../auth/on-principal-expiry.js';
import { assertFeedCursor, type FeedSink } from '../delivery/feed-follower.js';
import type { FeedWakeups } from '../fanout/feed-wakeups.js';
import { sendWithEtag } from '../http/etag.js';
import type { HistoryQueryParams } from '../http/schemas/read-route-schemas.js';
import type { EventLog, HistoryQuery } from '../log/event-log.js';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';
import { FeedWatcher } from '../presence/feed-watcher.js';
import type { PollPresence } from '../presence/poll-presence.js';
import type { Presence } from '../presence/presence.js';
import { resolveWatcherName } from '../presence/watcher-name.js';
import { FeedLongPoll } from './feed-long-poll.js';
import type { LiveConnections } from './live-connections.js';
import { readSseCursor } from './sse-resume.js';
import type { SseTransport } from './sse-transport.js';
import { openWatchedFeed, type WatchedFeed } from './watched-feed.js';

/** A history request: `GET /v1/events`. */
export type FeedRequest = FastifyRequest<{ Querystring: HistoryQueryParams }>;

/** What the feed transport works with. */
export interface FeedTransportDeps {
  log: EventLog;
  wakeups: FeedWakeups;
  sse: SseTransport;
  /** Held long-polls are admitted as live connections (the per-IP limit). */
  live: Pick<LiveConnections, 'admit'>;
  /** Long-polls the whole server may hold at once (shared count with none: feed polls have their own). */
  maxLongPolls: number;
  /** herald_long_polls_waiting. */
  longPollsWaiting: { inc(): void; dec(): void };
  shutdown: ShutdownHooks;
  /** Cache-Control of a feed page (ReadCaching.revalidate). */
  cacheControl: string;
  /** An SSE feed counts as a watcher of its streams (FeedWatcher). */
  presence: Presence;
  /** A feed long-poller does too, lingering between its polls. */
  pollPresence: PollPresence;
  /** Streams one feed watches at once (FeedWatcher's bound). */
  maxFeedStreams: number;
}

/** The SSE frames of a feed: `id:` is the event's cursor, so EventSource's Last-Event-ID resumes the feed. */
function encodeFeedSseEvent(event: FeedEvent): Buffer {
  const { cursor } = event;
  return Buffer.from(`id: ${cursor}\ndata: ${JSON.stringify(event)}\n\n`);
}

function encodeFeedSseLive(cursor: string | undefined): Buffer {
  return Buffer.from(encodeSseControl('live', JSON.stringify(cursor === undefined ? {} : { cursor })));
}

/**
 * The live wires of the history query `GET /v1/events` (docs/protocol.md "Live feed"): SSE
 * (`Accept: text/event-stream`) through a FeedFollower on a live connection, and long-poll
 * (`wait=`) held until something matching commits. The query is parsed and authorised by the
 * route; each wire only moves the follower's events. Either counts in presence as a watcher of
 * the feed's streams (FeedWatcher), named by the JWT's `sub` only.
 */
export class FeedTransport {
  #deps: FeedTransportDeps;
  #longPoll: FeedLongPoll;

  constructor(deps: FeedTransportDeps) {
    this.#deps = deps;
    this.#longPoll = new FeedLongPoll(deps);
    deps.shutdown.add(() => this.#longPoll.stop());
  }

  /** SSE: resumes from `Last-Event-ID`, else `cursor`, else from the start; events, `event: live`, live events. */
  async serveSse(request: FeedRequest, reply: FastifyReply, query: HistoryQuery): Promise<FastifyReply> {
    const cursor = readSseCursor(request) ?? query.cursor;
    const { order: _order, limit: _limit, cursor: _cursor, ...filter } = query;
    // A cursor this server did not issue, or beyond its log's head, is refused before the response starts.
    if (cursor !== undefined) await assertFeedCursor(this.#deps.log, cursor);
    let follower: WatchedFeed | undefined;
    const connection = this.#deps.sse.open(request, reply, () => follower?.close());
    const sink: FeedSink = {
      event: (event) => connection.write(encodeFeedSseEvent(event)),
      live: (at) => connection.write(encodeFeedSseLive(at)),
      failed: (error) => {
        request.log.error({ err: error }, 'feed failed');
        connection.end('failed');
      },
      ready: () => connection.ready(),
      takeTurn: () => connection.takeTurn(),
      endTurn: () => connection.endTurn(),
    };
    const { log, wakeups, presence, maxFeedStreams } = this.#deps;
    const watcher = new FeedWatcher(presence, filter, resolveWatcherName(request.principal, undefined), maxFeedStreams);
    follower = openWatchedFeed({ log, wakeups, filter, ...(cursor === undefined ? {} : { cursor }), sink }, watcher);
    return reply;
  }

  /**
   * Long-poll: the page after `cursor` at once when it has an event (or `waitMs` is 0), else held
   * until something matching commits, `waitMs` pass, the token expires or the server shuts down.
   * Every answer carries `nextCursor` once the client has a position.
   */
  serveLongPoll(request: FeedRequest, reply: FastifyReply, query: HistoryQuery, waitSeconds: number): Promise<void> {
    const waitMs = Math.min(waitSeconds * 1000, timeUntilExpiryMs(request.principal));
    const read = async () => {
      // Checked at every read: after a wait, the token may have expired, and nothing may reach it then.
      authorizeFilter(request.principal, query);
      return (await this.#deps.log.queryEvents({ ...query, withCursors: true })) as FeedPage;
    };
    const send = (page: FeedPage) => this.#sendPage(request, reply, page, query.cursor);
    const name = resolveWatcherName(request.principal, undefined);
    return this.#longPoll.serve(request, reply, { filter: query, name, waitMs, read, send });
  }

  #sendPage(request: FeedRequest, reply: FastifyReply, page: FeedPage, cursor: string | undefined): void {
    const nextCursor = page.nextCursor ?? cursor;
    const body: FeedPage = { events: page.events, ...(nextCursor === undefined ? {} : { nextCursor }) };
    sendWithEtag(request, reply, JSON.stringify(body), this.#deps.cacheControl);
  }
}
