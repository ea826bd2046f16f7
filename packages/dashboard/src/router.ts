import { useSyncExternalStore } from 'react';

/** The dashboard's pages, parsed from the URL hash. */
export type Route =
  | { page: 'runs'; prefix: string }
  | { page: 'stream'; stream: string }
  | { page: 'batch'; batchId: string }
  | { page: 'history'; params: URLSearchParams };

/** The prefixes the grid offers, as tabs (`gh:`: GitHub Actions runs and check runs from the ingest). */
export const GRID_PREFIXES = ['run:', 'batch:', 'gh:'] as const;

/** The stream of a batch (the demo's and seed 002's `batch:<batchId>`); its jobs carry the `batchId` tag. */
const BATCH_STREAM_PREFIX = 'batch:';

/** Parses `#/runs`, `#/batches`, `#/batches/<batchId>`, `#/github`, `#/streams/<stream>` and `#/history?<filters>`. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const [, section, rest] = path.split('/');
  if (section === 'streams' && rest) return { page: 'stream', stream: decodeURIComponent(rest) };
  if (section === 'history') return { page: 'history', params: new URLSearchParams(query) };
  if (section === 'batches' && rest) return { page: 'batch', batchId: decodeURIComponent(rest) };
  if (section === 'batches') return { page: 'runs', prefix: BATCH_STREAM_PREFIX };
  if (section === 'github') return { page: 'runs', prefix: 'gh:' };
  return { page: 'runs', prefix: 'run:' };
}

/** The hash of a route, for links. */
export function hrefOf(route: Route): string {
  if (route.page === 'stream') return `#/streams/${encodeURIComponent(route.stream)}`;
  if (route.page === 'batch') return `#/batches/${encodeURIComponent(route.batchId)}`;
  if (route.page === 'history') {
    const query = route.params.toString();
    return `#/history${query ? `?${query}` : ''}`;
  }
  if (route.prefix === BATCH_STREAM_PREFIX) return '#/batches';
  return route.prefix === 'gh:' ? '#/github' : '#/runs';
}

/** Where a stream opens: a batch on its batch page (its jobs, live), any other stream on its run page. */
export function routeOfStream(stream: string): Route {
  if (stream.startsWith(BATCH_STREAM_PREFIX))
    return { page: 'batch', batchId: stream.slice(BATCH_STREAM_PREFIX.length) };
  return { page: 'stream', stream };
}

/** The stream of a batch. */
export function batchStreamOf(batchId: string): string {
  return `${BATCH_STREAM_PREFIX}${batchId}`;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/** The current route; re-renders on every hash change. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
