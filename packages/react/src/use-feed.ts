import type { FeedFilter } from '@herald/client';
import { useMemo, useSyncExternalStore } from 'react';
import { createFeedStore, type FeedOptions, type FeedView } from './feed-store.js';
import { useHeraldClient } from './herald-provider.js';

/**
 * Follows every event matching `filter` across streams (`client.follow`: the history query
 * followed live, in global commit order, each event once) while the component is mounted, and
 * returns `{events, streams, status, error, cursor}`: the latest events and each stream's state
 * folded from them. The filter and options are compared by value, so a fresh object on every
 * render keeps the same feed; a different value closes it and follows the new one.
 */
export function useFeed(filter: FeedFilter, options: FeedOptions = {}): FeedView {
  const client = useHeraldClient();
  const key = JSON.stringify([filter, options]);
  const store = useMemo(() => {
    const [sameFilter, sameOptions] = JSON.parse(key) as [FeedFilter, FeedOptions];
    return createFeedStore(client, sameFilter, sameOptions);
  }, [client, key]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
