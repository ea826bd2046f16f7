import type { FetchFunction } from '@herald/client';
import {
  HeraldError,
  type HistoryPage,
  MAX_PAGE_LIMIT,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';

/** Options of `createHttpReader`. */
export interface HttpReaderOptions {
  /** Server base URL; `''` means the page's own origin. */
  url: string;
  token?: string;
  fetch?: FetchFunction;
  EventSource?: typeof EventSource;
}

/** Filters of the history query (`GET /v1/events`), named as in the HTTP API. */
export interface HistoryFilters {
  stream?: string;
  prefix?: string;
  types?: string[];
  /** Tag filters `tag.K=V`, all of which must match. */
  tags?: Record<string, string>;
  /** Inclusive lower bound on event time (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on event time (ISO 8601). */
  until?: string;
  order?: 'asc' | 'desc';
  /** Page size (server default 100). */
  limit?: number;
}

/** The outcome of a stream-list read: the list, or `unchanged` when the ETag still matches. */
export type StreamListRead =
  | { kind: 'changed'; streams: StreamSnapshot[]; etag: string | null }
  | { kind: 'unchanged' };

/** Callbacks of a stream-list watch. */
export interface StreamWatchHandlers {
  onOpen: () => void;
  onSnapshot: (snapshot: StreamSnapshot) => void;
  /** The watch broke; `isClosed` when the browser gave up reconnecting (e.g. the route is missing). */
  onError: (isClosed: boolean) => void;
}

/** The HTTP reads the hooks need beyond the client's subscriptions: stream lists and history. */
export interface HttpReader {
  listStreams(prefix: string, options?: { etag?: string | null; signal?: AbortSignal }): Promise<StreamListRead>;
  queryEvents(filters: HistoryFilters, cursor?: string, signal?: AbortSignal): Promise<HistoryPage>;
  /** Watches snapshot changes under `prefix` over SSE; `null` when no EventSource is available. */
  watchStreams(prefix: string, handlers: StreamWatchHandlers): (() => void) | null;
}

/** Creates the reader for `GET /v1/streams` and `GET /v1/events`. */
export function createHttpReader(options: HttpReaderOptions): HttpReader {
  const base = options.url.replace(/\/+$/, '');
  const EventSourceClass = options.EventSource ?? globalThis.EventSource;

  function urlOf(path: string, params: URLSearchParams): string {
    const query = params.toString();
    return `${base}${path}${query ? `?${query}` : ''}`;
  }

  async function get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const doFetch = options.fetch ?? globalThis.fetch;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await doFetch(url, { headers, signal });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new HeraldError('unavailable', 'Herald server unreachable', { cause });
    }
    if (response.ok || response.status === 304) return response;
    const body: unknown = await response.json().catch(() => null);
    throw HeraldError.fromBody(body, `HTTP ${response.status} from ${url}`);
  }

  return {
    async listStreams(prefix, { etag, signal } = {}) {
      const params = new URLSearchParams({ prefix, limit: String(MAX_PAGE_LIMIT) });
      const headers: Record<string, string> = etag ? { 'if-none-match': etag } : {};
      const response = await get(urlOf('/v1/streams', params), headers, signal);
      if (response.status === 304) return { kind: 'unchanged' };
      const page = (await response.json()) as StreamListPage;
      return { kind: 'changed', streams: page.streams, etag: response.headers.get('etag') };
    },

    async queryEvents(filters, cursor, signal) {
      const params = new URLSearchParams();
      if (filters.stream) params.set('stream', filters.stream);
      if (filters.prefix) params.set('prefix', filters.prefix);
      if (filters.types?.length) params.set('type', filters.types.join(','));
      for (const [key, value] of Object.entries(filters.tags ?? {})) params.set(`tag.${key}`, value);
      if (filters.since) params.set('since', filters.since);
      if (filters.until) params.set('until', filters.until);
      if (filters.order) params.set('order', filters.order);
      if (filters.limit) params.set('limit', String(filters.limit));
      if (cursor) params.set('cursor', cursor);
      const response = await get(urlOf('/v1/events', params), {}, signal);
      return (await response.json()) as HistoryPage;
    },

    watchStreams(prefix, handlers) {
      if (!EventSourceClass) return null;
      // EventSource cannot send headers, so the token travels as `?token=` (DESIGN "Auth").
      const params = new URLSearchParams({ prefix, watch: '1' });
      if (options.token) params.set('token', options.token);
      const source = new EventSourceClass(urlOf('/v1/streams', params));
      source.onopen = () => handlers.onOpen();
      source.onmessage = (message: MessageEvent<string>) => {
        handlers.onSnapshot(JSON.parse(message.data) as StreamSnapshot);
      };
      source.onerror = () => handlers.onError(source.readyState === EventSourceClass.CLOSED);
      return () => source.close();
    },
  };
}
