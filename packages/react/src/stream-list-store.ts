import type { HeraldClient, StreamList, StreamSnapshot } from '@herald/client';
import type { ExternalStore } from './stream-store.js';

/** What `useStreams` returns: the client's stream list, newest first. */
export type StreamListView = StreamList;

function newestFirst(a: StreamSnapshot, b: StreamSnapshot): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.stream.localeCompare(b.stream);
}

const LOADING: StreamListView = Object.freeze({ streams: [], status: 'loading', error: null });

/**
 * Creates the store behind `useStreams(prefix)` over the client's `watchStreams` (SSE watch, ETag
 * polling while it is down). Like `createStreamStore`, it does nothing until its first listener,
 * and the watch stops with the last one.
 */
export function createStreamListStore(client: HeraldClient, prefix: string): ExternalStore<StreamListView> {
  const listeners = new Set<() => void>();
  let view = LOADING;
  let stopWatch: (() => void) | undefined;

  return {
    subscribe(listener) {
      listeners.add(listener);
      stopWatch ??= client.watchStreams(prefix, (list) => {
        view = { ...list, streams: [...list.streams].sort(newestFirst) };
        for (const notify of listeners) notify();
      });
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stopWatch?.();
        stopWatch = undefined;
      };
    },
    getSnapshot: () => view,
  };
}
