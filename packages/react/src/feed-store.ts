import type { ConnectionStatus, Feed, FeedFilter, HeraldClient, HeraldError } from '@herald/client';
import { DEFAULT_FEED_MAX_EVENTS, EMPTY_FEED_FOLD, type FeedFold, foldFeedEvents } from './feed-fold.js';
import type { ExternalStore } from './stream-store.js';

/** Options of `useFeed`. */
export interface FeedOptions {
  /** Follow only events after this cursor (a history page's `nextCursor`, a feed event's `cursor`); default: from the oldest event held. */
  cursor?: string;
  /** How many of the latest events `events` keeps (default 1000); every stream's state is kept whatever it is. */
  maxEvents?: number;
}

/**
 * What `useFeed` returns: the feed's latest events and each stream's state folded from them
 * (`FeedFold`), with the feed's connection status, its last error (cleared by the next event) and
 * the cursor of the last event (follow again from it to resume).
 */
export interface FeedView extends FeedFold {
  status: ConnectionStatus;
  error: HeraldError | null;
  cursor: string | undefined;
}

/**
 * Creates the store behind `useFeed`. Like `createStreamStore`, creating it has no side effect;
 * the feed is followed from the first listener to the last. A feed stopped and followed again
 * (StrictMode's mount → unmount → mount) resumes from the cursor of the last event it delivered,
 * so the view goes on with no event lost or folded twice.
 */
export function createFeedStore(
  client: HeraldClient,
  filter: FeedFilter,
  options: FeedOptions,
): ExternalStore<FeedView> {
  const maxEvents = options.maxEvents ?? DEFAULT_FEED_MAX_EVENTS;
  const listeners = new Set<() => void>();
  let view: FeedView = { ...EMPTY_FEED_FOLD, status: 'connecting', error: null, cursor: options.cursor };
  let feed: Feed | undefined;
  let stopListening: (() => void)[] = [];

  function update(changes: Partial<FeedView>): void {
    view = { ...view, ...changes };
    for (const listener of listeners) listener();
  }

  function follow(): Feed {
    const followed = client.follow(filter, {
      cursor: view.cursor,
      onEvent: (event) => update({ ...foldFeedEvents(view, [event], maxEvents), cursor: event.cursor, error: null }),
    });
    stopListening = [
      followed.on('status', (status) => update({ status })),
      followed.on('error', (error) => update({ error })),
    ];
    if (followed.status !== view.status) update({ status: followed.status });
    return followed;
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      feed ??= follow();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        for (const stop of stopListening) stop();
        feed?.close();
        feed = undefined;
      };
    },
    getSnapshot: () => view,
  };
}
