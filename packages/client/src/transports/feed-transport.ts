import { type FeedEvent, type FeedFilter, HeraldError, parseServerFrame } from '@herald/protocol';
import { type HttpApi, toHeraldError } from '../http-api.js';
import { readSseResponse } from '../sse-reader.js';
import type { TransportKind, WebSocketConstructor, WebSocketLike } from '../types.js';
import { LONG_POLL_WAIT_SECONDS } from './longpoll-transport.js';
import { sleep } from './per-stream-transport.js';
import type { Transport, TransportListener } from './transport.js';
import { errorFromCloseCode, resolveWebSocketUrl, WEBSOCKET_DEAD_AFTER_MS } from './websocket-transport.js';

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

const OPEN = 1;

/** One wire of a live feed (docs/protocol.md "Live feed"); single-use like every transport. */
export function createFeedTransport(
  kind: TransportKind,
  context: FeedContext,
  listener: TransportListener<FeedFrame>,
): Transport {
  if (kind === 'websocket') return new FeedWebSocket(context, listener);
  const controller = new AbortController();
  const { signal } = controller;
  const fail = (error: unknown) => {
    if (signal.aborted) return;
    controller.abort();
    listener.onError(toHeraldError(error));
  };
  const run = kind === 'sse' ? streamFeed : kind === 'longpoll' ? longPollFeed : pollFeed;
  return {
    kind,
    open: () => void run(context, listener, signal).then(() => fail(endedError()), fail),
    close: () => controller.abort(),
  };
}

function endedError(): HeraldError {
  return new HeraldError('unavailable', 'the feed connection ended');
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
  readonly #context: FeedContext;
  readonly #listener: TransportListener<FeedFrame>;
  #socket: WebSocketLike | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #isDone = false;

  constructor(context: FeedContext, listener: TransportListener<FeedFrame>) {
    this.#context = context;
    this.#listener = listener;
  }

  open(): void {
    void this.#connect();
  }

  async #connect(): Promise<void> {
    const WebSocketClass = this.#context.WebSocket;
    if (!WebSocketClass) {
      this.#fail(new HeraldError('unavailable', 'no WebSocket implementation: pass the WebSocket option'));
      return;
    }
    let socket: WebSocketLike;
    try {
      const token = await this.#context.token();
      if (this.#isDone) return;
      socket = new WebSocketClass(resolveWebSocketUrl(this.#context.url, token));
    } catch (cause) {
      this.#fail(toHeraldError(cause));
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#isDone) return;
      this.#keepAlive();
      const cursor = this.#context.cursor();
      const filter = this.#context.filter;
      socket.send(JSON.stringify({ op: 'follow', feed: FEED_ID, filter, ...(cursor === undefined ? {} : { cursor }) }));
    });
    socket.addEventListener('message', (event) => this.#receive((event as { data?: unknown }).data));
    socket.addEventListener('close', (event) => {
      const { code = 1006, reason = '' } = event as { code?: number; reason?: string };
      this.#fail(errorFromCloseCode(code, reason));
    });
    // `ws` throws an 'error' event nobody listens to; the close that follows reports it.
    socket.addEventListener('error', () => {});
  }

  authenticate(token: string): void {
    if (!this.#isDone && this.#socket?.readyState === OPEN) this.#socket.send(JSON.stringify({ op: 'auth', token }));
  }

  close(): void {
    if (this.#isDone) return;
    this.#isDone = true;
    clearTimeout(this.#deadTimer);
    try {
      this.#socket?.close(1000);
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is dropped either way.
    }
  }

  #receive(data: unknown): void {
    if (this.#isDone) return;
    this.#keepAlive();
    const frame = parseServerFrame(String(data));
    switch (frame?.op) {
      case 'following':
        this.#listener.onOpen();
        break;
      case 'feed_event':
        this.#listener.onFrame({ op: 'event', event: { ...frame.event, cursor: frame.cursor } });
        break;
      case 'feed_live':
        this.#listener.onFrame({ op: 'live' });
        break;
      case 'hb':
        this.#listener.onFrame({ op: 'hb' });
        break;
      case 'error':
        // The feed was refused or ended (forbidden filter, unreadable log): the ladder decides what next.
        this.#fail(new HeraldError(frame.code, frame.message));
        break;
    }
  }

  #keepAlive(): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => {
      this.#fail(new HeraldError('unavailable', 'no message or heartbeat for too long'));
    }, WEBSOCKET_DEAD_AFTER_MS);
  }

  #fail(error: HeraldError): void {
    if (this.#isDone) return;
    this.close();
    this.#listener.onError(error);
  }
}
