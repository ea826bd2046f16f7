/**
 * The names of the wire, in one place (docs/protocol.md): every path, query parameter and header
 * that server, client, CLI and conformance suite share. Code elsewhere builds URLs with these, so a
 * renamed parameter is one change and a typo is a compile error.
 */

/** Paths of the HTTP routes and the WebSocket endpoint. */
export const API_PATHS = {
  /** `GET` a list of stream snapshots; `/{stream}` a snapshot, `/{stream}/events` a stream's events. */
  streams: '/v1/streams',
  /** `GET` the cross-stream history query, `POST` an atomic cross-stream batch, `DELETE ?olderThan=`. */
  events: '/v1/events',
  /** Multi-stream Server-Sent Events. */
  sse: '/v1/sse',
  /** The WebSocket endpoint. */
  webSocket: '/v1/ws',
  /** Webhook ingest: `POST /v1/ingest/{source}` (`github`, or a source of the mapping file). */
  ingest: '/v1/ingest',
  /** The OpenAPI 3.1 document of the HTTP API (public). */
  openApi: '/v1/openapi.json',
  health: '/healthz',
  ready: '/readyz',
  metrics: '/metrics',
} as const;

/** Every API path starts with this (the dashboard serves its pages outside it). */
export const API_PREFIX = '/v1/';

/** Route patterns for routers that take `:param` segments (Fastify), with the stream as `:stream`. */
export const ROUTE_PATTERNS = {
  stream: `${API_PATHS.streams}/:stream`,
  streamEvents: `${API_PATHS.streams}/:stream/events`,
  /** Presence (issue 16). */
  streamPresence: `${API_PATHS.streams}/:stream/presence`,
} as const;

/** Query parameter names. */
export const QUERY_PARAMS = {
  after: 'after',
  epoch: 'epoch',
  /** Long-poll hold, in seconds. */
  wait: 'wait',
  limit: 'limit',
  cursor: 'cursor',
  /** A token where a browser cannot set `Authorization` (EventSource, WebSocket). */
  token: 'token',
  prefix: 'prefix',
  /** `?watch=1` with SSE: follow the stream list. */
  watch: 'watch',
  stream: 'stream',
  type: 'type',
  since: 'since',
  until: 'until',
  order: 'order',
  olderThan: 'olderThan',
  /** The name an SSE or long-poll watcher asks to be shown by in presence (docs/protocol.md "Presence"). */
  label: 'label',
} as const;

/** History filters on tags are `tag.K=V`. */
export const TAG_QUERY_PREFIX = 'tag.';

/** Header names (lower case, as Node reports them). */
export const HEADERS = {
  accept: 'accept',
  authorization: 'authorization',
  contentType: 'content-type',
  cacheControl: 'cache-control',
  etag: 'etag',
  ifNoneMatch: 'if-none-match',
  lastEventId: 'last-event-id',
  retryAfter: 'retry-after',
} as const;

/** The media type of Server-Sent Events. */
export const EVENT_STREAM_MEDIA_TYPE = 'text/event-stream';

/** A query value: absent values are left out, arrays repeat the parameter. */
export type QueryValue = string | number | boolean | undefined | readonly string[];

/** `path?k=v&…` with the defined values of `query`, URL-encoded; `path` alone when none is defined. */
export function withQuery(path: string, query: Record<string, QueryValue>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const item of value) params.append(name, item);
    else params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** `/v1/streams/{stream}`: a stream's snapshot (and `DELETE`). */
export function streamPath(stream: string): string {
  return `${API_PATHS.streams}/${encodeURIComponent(stream)}`;
}

/** `/v1/streams/{stream}/events`: a stream's events (pages, long-poll, SSE) and its publish route. */
export function streamEventsPath(stream: string): string {
  return `${streamPath(stream)}/events`;
}

/** `/v1/streams/{stream}/presence`: who watches the stream (docs/protocol.md "Presence"). */
export function streamPresencePath(stream: string): string {
  return `${streamPath(stream)}/presence`;
}

/** `/v1/ingest/{source}`: a webhook source's ingest route (source names are `[a-z0-9_-]`, nothing to encode). */
export function ingestPath(source: string): string {
  return `${API_PATHS.ingest}/${source}`;
}

/** The WebSocket URL of a server whose HTTP base URL is `baseUrl` (`http` → `ws`, `https` → `wss`). */
export function webSocketUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}${API_PATHS.webSocket}`;
}
