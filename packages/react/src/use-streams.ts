import { useMemo, useSyncExternalStore } from 'react';
import { useHeraldContext } from './herald-provider.js';
import { createStreamListStore, type StreamListView } from './stream-list-store.js';

/**
 * The live list of stream snapshots under `prefix` (e.g. `run:`), newest first: for grids of runs.
 * Each row carries the stream's `state`, `seq`, `final`, `createdAt` and `updatedAt`.
 */
export function useStreams(prefix: string): StreamListView {
  const { reader } = useHeraldContext();
  const store = useMemo(() => createStreamListStore(reader, prefix), [reader, prefix]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
