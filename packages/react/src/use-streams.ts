import { useMemo, useSyncExternalStore } from 'react';
import { useHeraldClient } from './herald-provider.js';
import { createStreamListStore, type StreamListView } from './stream-list-store.js';

/**
 * The live list of stream snapshots under `prefix` (e.g. `run:`), newest first: for grids of runs.
 * Each row carries the stream's `state`, `seq`, `final`, `createdAt` and `updatedAt`.
 */
export function useStreams(prefix: string): StreamListView {
  const client = useHeraldClient();
  const store = useMemo(() => createStreamListStore(client, prefix), [client, prefix]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
