import type { FeedFilter } from '@herald/protocol';
import { FeedFollower, type FeedFollowerOptions } from '../delivery/feed-follower.js';
import type { FeedWatcher } from '../presence/feed-watcher.js';

/** A live feed a transport can close at any time. */
export interface WatchedFeed {
  readonly filter: FeedFilter;
  close(): void;
}

/**
 * Starts a FeedFollower that counts in presence as `watcher` (its filter's stream, and each stream
 * it delivers) until it is closed or fails, as openSubscription does for one stream.
 */
export function openWatchedFeed(options: FeedFollowerOptions, watcher: FeedWatcher): WatchedFeed {
  const { sink } = options;
  const follower = FeedFollower.open({
    ...options,
    sink: {
      event(event) {
        watcher.delivered(event.stream);
        sink.event(event);
      },
      live: (cursor) => sink.live(cursor),
      failed(error) {
        watcher.leave();
        sink.failed(error);
      },
      ...(sink.ready ? { ready: () => sink.ready?.() } : {}),
      ...(sink.takeTurn ? { takeTurn: () => sink.takeTurn?.(), endTurn: () => sink.endTurn?.() } : {}),
    },
  });
  return {
    filter: follower.filter,
    close() {
      follower.close();
      watcher.leave();
    },
  };
}
