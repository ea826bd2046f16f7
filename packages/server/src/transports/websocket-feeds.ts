import { type ClientFrame, encodeFeedEventFrame, HeraldError, type ServerFrame } from '@herald/protocol';
import { authorizeFilter } from '../auth/authorize.js';
import type { Principal } from '../auth/principal.js';
import { assertFeedCursor } from '../delivery/feed-follower.js';
import type { FeedWakeups } from '../fanout/feed-wakeups.js';
import type { EventLog } from '../log/event-log.js';
import type { ConnectionWatchers } from '../presence/connection-watchers.js';
import { FeedWatcher } from '../presence/feed-watcher.js';
import type { LiveConnection } from './live-connection.js';
import { openWatchedFeed, type WatchedFeed } from './watched-feed.js';
import { encodeServerFrame, encodeTextFrame } from './websocket-frames.js';

/** What a WebSocket's feeds work with. */
export interface WebSocketFeedsDeps {
  log: EventLog;
  wakeups: FeedWakeups;
  /** Feeds one connection may follow (the subscription limit, counted apart from streams). */
  maxFeeds: number;
  /** A feed counts as a watcher of its streams (FeedWatcher), through its connection's watchers. */
  watchers: ConnectionWatchers;
  /** Streams one feed watches at once (FeedWatcher's bound). */
  maxFeedStreams: number;
}

/** Reports an error about one feed (or one `follow`) as an error frame. */
export type FeedErrorSender = (error: unknown, ref: number | undefined, feed: string) => void;

type FollowFrame = Extract<ClientFrame, { op: 'follow' }>;

/**
 * The live feeds of one WebSocket (docs/protocol.md "Live feed"): `follow` starts a FeedFollower
 * under the client's feed id, answered by `following`, then `feed_event` frames (each with its
 * feed and cursor), `feed_live` once caught up, and live `feed_event`s; `unfollow` ends it. The
 * connection's heartbeat, slow-consumer and token-expiry rules apply to feeds as to streams. A
 * feed counts in presence as a watcher of its streams (FeedWatcher), named by the JWT's `sub` only
 * (a `follow` carries no label), through the connection's watchers: however many feeds and subs
 * of one stream it has, the connection counts once in it.
 */
export class WebSocketFeeds {
  #connection: LiveConnection;
  #deps: WebSocketFeedsDeps;
  #sendError: FeedErrorSender;
  #feeds = new Map<string, WatchedFeed>();

  constructor(connection: LiveConnection, deps: WebSocketFeedsDeps, sendError: FeedErrorSender) {
    this.#connection = connection;
    this.#deps = deps;
    this.#sendError = sendError;
  }

  /**
   * Starts (or restarts, from the cursor given) the feed; rejects before anything is sent when it
   * is refused. The connection's later frames wait for it, so an `unfollow` right after it ends it.
   */
  async follow(frame: FollowFrame, principal: Principal): Promise<void> {
    const { feed, filter, cursor, ref } = frame;
    authorizeFilter(principal, filter);
    // A cursor this server did not issue, or beyond its log's head, is refused here, before `following`.
    if (cursor !== undefined) await assertFeedCursor(this.#deps.log, cursor);
    // The connection may have ended during that read: closeAll() has run, so start nothing.
    if (this.#connection.isClosed) return;
    const isNewFeed = !this.#feeds.has(feed);
    const max = this.#deps.maxFeeds;
    if (isNewFeed && this.#feeds.size >= max) {
      throw new HeraldError('too_many_subscriptions', `at most ${max} feeds per connection`, {
        details: { limit: max },
      });
    }
    this.#feeds.get(feed)?.close();
    this.#send({ op: 'following', ...(ref === undefined ? {} : { ref }), feed });
    const connection = this.#connection;
    const { log, wakeups, watchers, maxFeedStreams } = this.#deps;
    // No label: the connection's principal names it (its JWT's `sub`, or nobody).
    const watcher = new FeedWatcher(watchers, filter, undefined, maxFeedStreams);
    const follower = openWatchedFeed(
      {
        log,
        wakeups,
        filter,
        ...(cursor === undefined ? {} : { cursor }),
        sink: {
          event: (event) =>
            connection.write(encodeTextFrame(encodeFeedEventFrame(feed, event.cursor, JSON.stringify(event)))),
          live: (at) => this.#send({ op: 'feed_live', feed, ...(at === undefined ? {} : { cursor: at }) }),
          failed: (error) => {
            if (this.#feeds.get(feed) === follower) this.#feeds.delete(feed);
            this.#sendError(error, undefined, feed);
          },
          ready: () => connection.ready(),
          takeTurn: () => connection.takeTurn(),
          endTurn: () => connection.endTurn(),
        },
      },
      watcher,
    );
    this.#feeds.set(feed, follower);
  }

  /** Ends the feed (if any) and answers `unfollowed`. */
  unfollow(frame: Extract<ClientFrame, { op: 'unfollow' }>): void {
    this.#feeds.get(frame.feed)?.close();
    this.#feeds.delete(frame.feed);
    this.#send({ op: 'unfollowed', ...(frame.ref === undefined ? {} : { ref: frame.ref }), feed: frame.feed });
  }

  /** A new token: feeds whose filter it may not read end with an error. */
  reauthorize(principal: Principal): void {
    for (const [feed, follower] of this.#feeds) {
      try {
        authorizeFilter(principal, follower.filter);
      } catch (error) {
        follower.close();
        this.#feeds.delete(feed);
        this.#sendError(error, undefined, feed);
      }
    }
  }

  /** Stops every feed (the connection ended). */
  closeAll(): void {
    for (const follower of this.#feeds.values()) follower.close();
    this.#feeds.clear();
  }

  #send(frame: ServerFrame): void {
    this.#connection.write(encodeServerFrame(frame));
  }
}
