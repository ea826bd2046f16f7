import type { HeraldError } from '@herald/client';
import type { StreamSnapshot } from '@herald/protocol';
import { isHeraldError } from '@herald/protocol';
import type { HttpReader } from './http-reader.js';
import type { ExternalStore } from './stream-store.js';

/** How often the list is re-read with its ETag while the SSE watch is unavailable. */
const POLL_INTERVAL_MS = 2000;

/** What `useStreams` returns. */
export interface StreamListView {
  /** Snapshots of the streams under the prefix, newest first (by `createdAt`). */
  streams: readonly StreamSnapshot[];
  /** `live` while the SSE watch is open, `polling` while the list is polled instead, `loading` before either. */
  status: 'loading' | 'live' | 'polling';
  /** The last failed read; `null` after the next successful one. */
  error: HeraldError | null;
}

function newestFirst(a: StreamSnapshot, b: StreamSnapshot): number {
  return (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.stream.localeCompare(b.stream);
}

/** Whether `incoming` is at least as recent as `current` (a list read may race a watch message). */
function isNewer(incoming: StreamSnapshot, current: StreamSnapshot | undefined): boolean {
  return !current || incoming.epoch !== current.epoch || incoming.seq >= current.seq;
}

/**
 * Creates the store behind `useStreams(prefix)`: one list read, then live changes from the SSE
 * watch (`GET /v1/streams?prefix=&watch=1`). While the watch is down it polls the list with its
 * ETag, and after each (re)open of the watch it re-reads the list once so nothing missed stays
 * stale. Like `createStreamStore`, it does nothing until its first listener.
 */
export function createStreamListStore(reader: HttpReader, prefix: string): ExternalStore<StreamListView> {
  const listeners = new Set<() => void>();
  const byName = new Map<string, StreamSnapshot>();
  let view: StreamListView = { streams: [], status: 'loading', error: null };
  let etag: string | null = null;
  let abort: AbortController | undefined;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let stopWatch: (() => void) | null = null;
  let isPolling = false;
  let isWatchOpen = false;

  function publish(changes: Partial<StreamListView>, isListChanged: boolean): void {
    const streams = isListChanged ? [...byName.values()].sort(newestFirst) : view.streams;
    view = { ...view, ...changes, streams };
    for (const listener of listeners) listener();
  }

  async function readList(): Promise<void> {
    try {
      const read = await reader.listStreams(prefix, { etag, signal: abort?.signal });
      if (read.kind === 'unchanged') {
        if (view.error || view.status === 'loading') publish({ error: null, status: resolveStatus() }, false);
        return;
      }
      etag = read.etag;
      // Merged, not replaced: a stream the watch reported after this read began is not in it yet.
      for (const snapshot of read.streams) {
        if (isNewer(snapshot, byName.get(snapshot.stream))) byName.set(snapshot.stream, snapshot);
      }
      publish({ error: null, status: resolveStatus() }, true);
    } catch (error) {
      if (abort?.signal.aborted || !isHeraldError(error)) return;
      publish({ error }, false);
    }
  }

  function resolveStatus(): StreamListView['status'] {
    if (isWatchOpen) return 'live';
    return isPolling ? 'polling' : 'loading';
  }

  function poll(): void {
    pollTimer = setTimeout(async () => {
      await readList();
      if (isPolling) poll();
    }, POLL_INTERVAL_MS);
  }

  function startPolling(): void {
    if (isPolling) return;
    isPolling = true;
    publish({ status: 'polling' }, false);
    poll();
  }

  function stopPolling(): void {
    isPolling = false;
    clearTimeout(pollTimer);
  }

  function open(): void {
    abort = new AbortController();
    stopWatch = reader.watchStreams(prefix, {
      onOpen() {
        isWatchOpen = true;
        stopPolling();
        publish({ status: 'live' }, false);
        void readList();
      },
      onSnapshot(snapshot) {
        // The watch reports a deleted stream as a never-created one: no epoch.
        if (snapshot.epoch === null) byName.delete(snapshot.stream);
        else if (isNewer(snapshot, byName.get(snapshot.stream))) byName.set(snapshot.stream, snapshot);
        else return;
        publish({}, true);
      },
      onError() {
        isWatchOpen = false;
        startPolling();
      },
    });
    if (!stopWatch) startPolling();
    void readList();
  }

  function close(): void {
    isWatchOpen = false;
    stopPolling();
    stopWatch?.();
    stopWatch = null;
    abort?.abort();
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) close();
      };
    },
    getSnapshot: () => view,
  };
}
