import type { FeedEvent, FeedFilter } from '@herald/protocol';
import { Emitter, invokeCallback } from './emitter.js';
import { createFeedTransport, type FeedContext, type FeedFrame } from './transports/feed-transport.js';
import { TransportLadder } from './transports/ladder.js';
import type { ClientStats, ConnectionStatus, Feed, FeedEvents, FollowOptions, TransportKind } from './types.js';
import { Watchdog } from './watchdog.js';

/**
 * Cursors of recently delivered events a feed remembers to drop duplicates. Every wire starts
 * from the feed's latest cursor, so a duplicate can only come from a wire that overlaps another
 * (a probe beside the active transport, the watchdog's read beside a live one), and lies within
 * the events delivered since that wire started: far fewer than this.
 */
const RECENT_CURSORS = 10_000;

/** What a followed feed needs from the client. */
export interface FollowedFeedOptions extends FollowOptions {
  filter: FeedFilter;
  /** The wire context, without the feed's own filter and cursor. */
  context: Omit<FeedContext, 'filter' | 'cursor'>;
  /** The client's `transports`. */
  kinds: readonly TransportKind[];
  probeIntervalMs: number;
  staleAfterMs: number;
  refreshToken(): Promise<boolean>;
  /** The client's counters (events delivered, duplicates dropped, reconnects). */
  stats: ClientStats;
  /** Called once by `close()` (the client forgets the feed). */
  onClose(): void;
}

/**
 * A live filtered feed (`client.follow`) on its own instance of the connection state machine
 * (`status.ts`, run by a TransportLadder), so it falls back, climbs back up and goes quiet offline
 * by the client's rules. It is the one place on the client where a feed's order is decided: every
 * wire resumes from its cursor, events are delivered in the order the server sends them (global
 * commit order), and an event whose cursor was already delivered is dropped. Its watchdog reads
 * one page after the cursor when a live push wire has been silent for `staleAfterMs` after an
 * event (W1, W3, W4 of watchdog.ts), so a healthy idle feed makes no request.
 */
export class FollowedFeed implements Feed {
  readonly filter: FeedFilter;
  readonly #ladder: TransportLadder<FeedFrame>;
  readonly #onEvent: (event: FeedEvent) => void;
  readonly #events = new Emitter<FeedEvents>();
  readonly #watchdog: Watchdog;
  readonly #context: FeedContext;
  readonly #stats: ClientStats;
  readonly #onClose: () => void;
  readonly #recent = new Set<string>();
  #cursor: string | undefined;
  #status: ConnectionStatus = 'connecting';
  #isCaughtUp = false;
  #isClosed = false;

  constructor(options: FollowedFeedOptions) {
    this.filter = options.filter;
    this.#onEvent = options.onEvent;
    this.#cursor = options.cursor;
    this.#stats = options.stats;
    this.#onClose = options.onClose;
    this.#context = { ...options.context, filter: options.filter, cursor: () => this.#cursor };
    this.#watchdog = new Watchdog(options.staleAfterMs, () => void this.#readOnce());
    this.#ladder = new TransportLadder<FeedFrame>({
      kinds: options.kinds,
      create: (kind, listener) => createFeedTransport(kind, this.#context, listener),
      onFrame: (frame) => this.#apply(frame),
      onStatus: (status) => this.#setStatus(status),
      onError: (error) => {
        this.#events.emit('error', error);
        // The server refused the feed's own request (its filter, or a cursor beyond the log's
        // head: another deployment's, or one from before the store was restored or wiped). The
        // same request can never succeed, so the feed ends rather than retry it forever.
        if (error.code === 'invalid_request') this.close();
      },
      onReconnect: () => {
        options.stats.reconnects += 1;
      },
      refreshToken: options.refreshToken,
      probeIntervalMs: options.probeIntervalMs,
    });
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get cursor(): string | undefined {
    return this.#cursor;
  }

  get isCaughtUp(): boolean {
    return this.#isCaughtUp;
  }

  on<K extends keyof FeedEvents>(event: K, listener: FeedEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Connects (the client calls it once). */
  start(): void {
    this.#ladder.start();
  }

  /** A refreshed token: sent on the feed's open WebSocket (`auth`), so it is not closed at expiry. */
  authenticate(token: string): void {
    this.#ladder.authenticate(token);
  }

  /** The browser reports no network: no request until `reconnectNow`. */
  setOffline(): void {
    this.#ladder.setOffline();
  }

  /** The network is back: connect at once. */
  reconnectNow(): void {
    this.#ladder.reconnectNow();
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#watchdog.stop();
    this.#ladder.close();
    this.#events.clear();
    this.#onClose();
  }

  #apply(frame: FeedFrame): void {
    if (this.#isClosed) return;
    if (frame.op === 'event') {
      this.#deliver(frame.event);
      // W1: the next message may be the one lost; a pull wire reads by itself.
      if (this.#status === 'live') this.#watchdog.heard();
    } else if (frame.op === 'live') {
      this.#isCaughtUp = true;
      this.#watchdog.stop();
    }
  }

  #deliver(event: FeedEvent): void {
    if (this.#recent.has(event.cursor)) {
      this.#stats.duplicatesDropped += 1;
      return;
    }
    this.#recent.add(event.cursor);
    if (this.#recent.size > RECENT_CURSORS) this.#recent.delete(this.#recent.values().next().value as string);
    this.#cursor = event.cursor;
    this.#stats.eventsDelivered += 1;
    invokeCallback(this.#onEvent, event);
  }

  /** The watchdog fired: one page after the cursor (W4: an empty one disarms it while live). */
  async #readOnce(): Promise<void> {
    this.#context.countPoll();
    try {
      const page = await this.#context.http.readFeed(this.filter, this.#cursor, 0);
      if (this.#isClosed) return;
      for (const event of page.events) this.#deliver(event);
      // W4: nothing new while live disarms it; events found mean more may have been lost.
      if (page.events.length > 0 && this.#status === 'live') this.#watchdog.heard();
    } catch {
      // The ladder deals with a server that cannot be reached; the next event arms the watchdog again.
    }
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    // Only a live push wire needs the watchdog: any other wire reads by itself, and every new
    // wire resumes from the cursor, so a dropped connection loses nothing either way.
    if (status !== 'live') this.#watchdog.stop();
    this.#events.emit('status', status);
  }
}
