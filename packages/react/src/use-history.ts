import type { HeraldEvent, HistoryQuery } from '@herald/client';
import { HeraldError, isHeraldError } from '@herald/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useHeraldClient } from './herald-provider.js';

/** Filters of `useHistory`: the client's history query, with the event types as `types`; paging is the hook's. */
export type HistoryFilters = Omit<HistoryQuery, 'type' | 'cursor'> & { types?: string[] };

/** What `useHistory` returns. */
export interface HistoryView {
  /** The events of every page read so far, in the query's order. */
  events: readonly HeraldEvent[];
  /** `loading` while a page is being read, `error` when the last read failed. */
  status: 'loading' | 'ready' | 'error';
  error: HeraldError | null;
  /** Whether another page exists (the server returned a `nextCursor`). */
  hasMore: boolean;
  /** Reads the next page and appends it; does nothing while loading or on the last page. */
  loadMore: () => void;
}

interface HistoryState {
  events: readonly HeraldEvent[];
  nextCursor: string | undefined;
  status: HistoryView['status'];
  error: HeraldError | null;
}

const INITIAL: HistoryState = { events: [], nextCursor: undefined, status: 'loading', error: null };

/**
 * Queries the cross-stream history (`GET /v1/events`) with the given filters, a page at a time
 * (keyset pagination with `nextCursor`). New filters start over from the first page; a read
 * still in flight for old filters is aborted.
 */
export function useHistory(filters: HistoryFilters): HistoryView {
  const client = useHeraldClient();
  // Filters are compared by value so callers can pass a fresh object on every render.
  const filtersKey = JSON.stringify(filters);
  const [state, setState] = useState<HistoryState>(INITIAL);
  const abortRef = useRef<AbortController | null>(null);

  const readPage = useCallback(
    (cursor: string | undefined, previous: readonly HeraldEvent[]) => {
      abortRef.current?.abort();
      const abort = new AbortController();
      abortRef.current = abort;
      setState((current) => ({ ...current, events: previous, status: 'loading', error: null }));
      const { types, ...filters } = JSON.parse(filtersKey) as HistoryFilters;
      const query: HistoryQuery = { ...filters, ...(types ? { type: types } : {}), ...(cursor ? { cursor } : {}) };
      client.queryEvents(query, { signal: abort.signal }).then(
        (page) =>
          setState({
            events: [...previous, ...page.events],
            nextCursor: page.nextCursor,
            status: 'ready',
            error: null,
          }),
        (error: unknown) => {
          if (abort.signal.aborted) return;
          const heraldError = isHeraldError(error) ? error : new HeraldError('internal', String(error));
          setState((current) => ({ ...current, status: 'error', error: heraldError }));
        },
      );
    },
    [client, filtersKey],
  );

  useEffect(() => {
    readPage(undefined, []);
    return () => abortRef.current?.abort();
  }, [readPage]);

  const loadMore = useCallback(() => {
    if (state.status === 'loading' || !state.nextCursor) return;
    readPage(state.nextCursor, state.events);
  }, [readPage, state]);

  return { events: state.events, status: state.status, error: state.error, hasMore: !!state.nextCursor, loadMore };
}
