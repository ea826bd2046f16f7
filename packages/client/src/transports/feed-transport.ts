import { type FeedEvent, type FeedFilter, HeraldError } from '@herald/protocol';
import type { HttpApi } from '../http-api.js';
import { readSseResponse } from '../sse-reader.js';
import type { TransportKind, WebSocketConstructor } from '../types.js';
import { LONG_POLL_WAIT_SECONDS } from './longpoll-transport.js';
import { sleep } from './per-stream-transport.js';
import { createRequestLoopTransport } from './request-loop-transport.js';
import type { Transport, TransportListener } from './transport.js';
import { WebSocketLink } from './websocket-link.js';

/** What a feed's wire hands over: an event, the catch-up's end, or a heartbeat. Order is the feed's business. */
export type FeedFrame = { op: 'event'; event: FeedEvent } | { op: 'live' } | { op: 'hb' };

/** What a feed's wire may use. */
export interface FeedContext {
  url: string;
  http: HttpApi;
  WebSocket: WebSocketConstructor | undefined;
  token(): Promise<string | undefined>;
  filter: FeedFilter;
  /** Where the feed resumes (read at every (re)connection and request). */
  cursor(): string | undefined;
  /** Polling interval of the `poll` rung, in ms. */
  pollIntervalMs: number;
  countPoll(): void;
}

/** The feed's id on its own WebSocket: one feed per socket, so any fixed id will do. */
const FEED_ID = 'feed';

/** One wire of a live feed (docs/protocol.md "Live feed"); single-use like every transport. */
export function createFeedTransport(
  kind: TransportKind,
  context: FeedContext,
  listener: TransportListener<FeedFrame>,
): Transport {
  if (kind === 'websocket') return new FeedWebSocket(context, listener);
  const run = kind === 'sse' ? streamFeed : kind === 'longpoll' ? longPollFeed : pollFeed;
  return createRequestLoopTransport(kind, listener, (signal) => run(context, listener, signal));
}

/** SSE: each message's `id:` is its cursor (EventSource's Last-Event-ID); `event: live` ends the catch-up. */
async function streamFeed(context: FeedContext, listener: TransportListener<FeedFrame>, signal: AbortSignal) {
  const response = await context.http.openFeedStream(context.filter, context.cursor(), signal);
  listener.onOpen();
  await readSseResponse(
    response,
    {
      onBytes: () => listener.onFrame({ op: 'hb' }),
      onMessage: ({ event, data }) => {
        if (event === 'live') listener.onFrame({ op: 'live' });
        else if (event === 'message') listener.onFrame({ op: 'event', event: JSON.parse(data) as FeedEvent });
      },
    },
    signal,
  );
}

/**
 * Long-poll: `wait=` requests after the feed's cursor. The first does not wait: it is the
 * handshake and the first page at once, so a probe of this rung is judged within a round trip.
 */
async function longPollFeed(context: FeedContext, listener: TransportListener<FeedFrame>, signal: AbortSignal) {
  let waitSeconds = 0;
  let isFirst = true;
  while (!signal.aborted) {
    const page = await context.http.readFeed(context.filter, context.cursor(), waitSeconds, signal);
    if (signal.aborted) return;
    if (isFirst) listener.onOpen();
    isFirst = false;
    deliverPage(listener, page.events);
    // After events, ask again at once: an empty answer then says the feed is caught up (`live`)
    // within a round trip rather than after a hold; only a caught-up feed is held.
    waitSeconds = page.events.length === 0 ? LONG_POLL_WAIT_SECONDS : 0;
  }
}

/** Polling: one page after the cursor every `pollIntervalMs` (at once again while pages come full). */
async function pollFeed(context: FeedContext, listener: TransportListener<FeedFrame>, signal: AbortSignal) {
  for (let isFirst = true; !signal.aborted; isFirst = false) {
    context.countPoll();
    const page = await context.http.readFeed(context.filter, context.cursor(), 0, signal);
    if (signal.aborted) return;
    if (isFirst) listener.onOpen();
    deliverPage(listener, page.events);
    if (page.events.length === 0) await sleep(context.pollIntervalMs, signal);
  }
}

/** A page's events; an empty page means the feed is caught up. */
function deliverPage(listener: TransportListener<FeedFrame>, events: readonly FeedEvent[]) {
  for (const event of events) listener.onFrame({ op: 'event', event });
  if (events.length === 0) listener.onFrame({ op: 'live' });
}

/** A feed on its own WebSocket: `follow` once open; `following` is the handshake. */
class FeedWebSocket implements Transport {
  readonly kind = 'websocket';
  readonly #link: WebSocketLink;

  constructor(context: FeedContext, listener: TransportListener<FeedFrame>) {
    const link = new WebSocketLink(context, {
      onOpen: () => {
        const cursor = context.cursor();
        link.send({ op: 'follow', feed: FEED_ID, filter: context.filter, ...(cursor === undefined ? {} : { cursor }) });
      },
      onFrame: (frame) => {
        if (frame.op === 'following') listener.onOpen();
        else if (frame.op === 'feed_event')
          listener.onFrame({ op: 'event', event: { ...frame.event, cursor: frame.cursor } });
        else if (frame.op === 'feed_live') listener.onFrame({ op: 'live' });
        else if (frame.op === 'hb') listener.onFrame({ op: 'hb' });
        // The feed was refused or ended (forbidden filter, unreadable log): the ladder decides what next.
        else if (frame.op === 'error') link.fail(new HeraldError(frame.code, frame.message));
      },
      onError: (error) => listener.onError(error),
    });
    this.#link = link;
  }

  open(): void {
    this.#link.open();
  }

  authenticate(token: string): void {
    this.#link.send({ op: 'auth', token });
  }

  close(): void {
    this.#link.close();
  }
}
