import type { FeedEvent, FeedFilter } from '@herald/protocol';
import type { FeedListener, FeedWakeups } from '../fanout/feed-wakeups.js';
import type { EventLog } from '../log/event-log.js';
import { CATCH_UP_PAGE_BYTES, type PageOutcome } from './catch-up-page.js';

/** Events read from the log per query, in catch-up and live alike. */
export const FEED_PAGE_SIZE = 500;

/** What a transport implements to carry one feed (it only moves bytes). */
export interface FeedSink {
  /** One event, in commit order; `event.cursor` resumes right after it. */
  event(event: FeedEvent): void;
  /** Caught up with the log at `cursor` (undefined: nothing matched yet); what follows is live. Called once. */
  live(cursor: string | undefined): void;
  /** The log could not be read; the transport ends the feed and the client resumes from its cursor. */
  failed(error: unknown): void;
  /** Backpressure, as SubscriptionSink.ready: a promise while the send buffer is full. */
  ready?(): Promise<void> | undefined;
  /**
   * The connection's one read turn, shared with its subscriptions' catch-ups (as
   * SubscriptionSink.takeTurn), taken before each read of the log: without it, a connection's
   * thousand feeds would each read a page at once, at every commit they match.
   */
  takeTurn?(): Promise<void> | undefined;
  endTurn?(): void;
}

/** Options of `FeedFollower.open`. */
export interface FeedFollowerOptions {
  log: Pick<EventLog, 'queryEvents'>;
  wakeups: Pick<FeedWakeups, 'add'>;
  filter: FeedFilter;
  /** Deliver events after this cursor (a history `nextCursor` or a feed event's); none: from the start. */
  cursor?: string;
  sink: FeedSink;
}

/**
 * Refuses, before a feed starts (before SSE headers, before `following`), a cursor the log refuses
 * on every read after it: one this server did not issue, or one beyond the log's head.
 */
export async function assertFeedCursor(log: Pick<EventLog, 'queryEvents'>, cursor: string): Promise<void> {
  await log.queryEvents({ order: 'asc', limit: 1, cursor });
}

/**
 * One follower of a live filtered feed, and the feed's hand-over from history to live. There is
 * only one way an event reaches the sink: a read of the log after the follower's cursor, in the
 * log's global commit order (F1 order). Catch-up and live are the same loop, so the hand-over
 * can neither lose nor double an event (F2 no gap, F3 no duplicate):
 *
 *   register for wake-ups ─▶ read after cursor ─▶ send, advance cursor ─▶ more or woken
 *        meanwhile? read again : live, idle until woken ─▶ read after cursor …
 *
 * It registers before its first read, so a commit during that read wakes it. Wake-ups coalesce:
 * at most one read is in flight, and any number of wake-ups during it cost one more read, so N
 * feeds under M commits cost at most N reads per read time, not N × M.
 */
export class FeedFollower implements FeedListener {
  readonly filter: FeedFilter;
  #log: Pick<EventLog, 'queryEvents'>;
  #sink: FeedSink;
  #cursor: string | undefined;
  #remove: () => void = () => {};
  #isReading = false;
  #isWoken = false;
  #isLive = false;
  #isClosed = false;

  private constructor(options: FeedFollowerOptions) {
    this.filter = options.filter;
    this.#log = options.log;
    this.#sink = options.sink;
    this.#cursor = options.cursor;
  }

  /** Starts a follower without waiting for its catch-up; `close()` stops it at any time. */
  static open(options: FeedFollowerOptions): FeedFollower {
    const follower = new FeedFollower(options);
    follower.#remove = options.wakeups.add(follower);
    follower.wake();
    return follower;
  }

  /** The cursor of the last event sent (the one given at open before any). */
  get cursor(): string | undefined {
    return this.#cursor;
  }

  wake(): void {
    if (this.#isClosed) return;
    if (this.#isReading) this.#isWoken = true;
    else void this.#read();
  }

  close(): void {
    this.#isClosed = true;
    this.#remove();
  }

  async #read(): Promise<void> {
    this.#isReading = true;
    const sink = this.#sink;
    try {
      for (;;) {
        const turn = sink.takeTurn?.();
        if (turn) await turn;
        let outcome: PageOutcome;
        try {
          if (this.#isClosed) return;
          // Commits from here on are read by this read, or wake it again.
          this.#isWoken = false;
          outcome = await this.#readPage();
        } finally {
          sink.endTurn?.();
        }
        if (this.#isClosed) return;
        if (outcome === 'more') continue;
        if (outcome !== 'done') {
          await outcome.room;
          if (this.#isClosed) return;
          continue;
        }
        if (!this.#isWoken) break;
      }
      if (!this.#isLive) {
        this.#isLive = true;
        sink.live(this.#cursor);
      }
    } catch (error) {
      if (!this.#isClosed) {
        this.close();
        sink.failed(error);
      }
    } finally {
      this.#isReading = false;
    }
  }

  /**
   * Reads the page after the cursor and sends it: `more` when the log holds more, `done` when
   * this read reached its end (or the follower was closed), or the client's `room` to wait for
   * (the rest of the page is dropped, and read again once the client has room, see Subscription).
   * A method of its own so that the page is let go when it returns.
   */
  async #readPage(): Promise<PageOutcome> {
    const page = await this.#log.queryEvents({
      ...this.filter,
      order: 'asc',
      limit: FEED_PAGE_SIZE,
      maxBytes: CATCH_UP_PAGE_BYTES,
      withCursors: true,
      ...(this.#cursor === undefined ? {} : { cursor: this.#cursor }),
    });
    if (this.#isClosed) return 'done';
    const room = this.#sendPage(page.events as FeedEvent[]);
    if (room) return { room };
    return page.hasMore ? 'more' : 'done';
  }

  /** Sends `events` while the client has room; stops at the first it has none for, and says so. */
  #sendPage(events: FeedEvent[]): Promise<void> | undefined {
    for (const event of events) {
      const room = this.#sink.ready?.();
      if (room) return room;
      this.#cursor = event.cursor;
      this.#sink.event(event);
    }
    return undefined;
  }
}
