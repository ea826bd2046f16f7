import {
  API_PATHS,
  type ErrorCode,
  EVENT_STREAM_MEDIA_TYPE,
  type EventsPage,
  type FeedFilter,
  type FeedPage,
  HEADERS,
  HeraldError,
  type HistoryPage,
  isHeraldError,
  type PublishResult,
  QUERY_PARAMS,
  type QueryValue,
  type StreamListPage,
  type StreamPresence,
  type StreamSnapshot,
  streamEventsPath,
  streamPath,
  streamPresencePath,
  TAG_QUERY_PREFIX,
  withQuery,
} from '@herald/protocol';
import type { TokenSource } from './token-source.js';
import type { FetchFunction, HistoryQuery, StreamListQuery } from './types.js';

/** A position to read from: events with `seq > after`, checked against `epoch` when known. */
export interface Position {
  after: number;
  epoch: string | null;
}

/** A page of stream snapshots read with its ETag; `undefined` from `listStreams` means `304 Not Modified`. */
export interface TaggedStreamList {
  page: StreamListPage;
  etag: string | null;
}

/** A snapshot read with its ETag; `undefined` from `readSnapshot` means `304 Not Modified`. */
export interface TaggedSnapshot {
  snapshot: StreamSnapshot;
  etag: string | null;
}

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'seq_conflict';
  if (status === 413) return 'payload_too_large';
  if (status === 429) return 'rate_limited';
  if (status === 503 || status === 502 || status === 504) return 'unavailable';
  return status >= 500 ? 'internal' : 'invalid_request';
}

async function errorFromResponse(response: Response): Promise<HeraldError> {
  // Herald's body carries `details.retryAfterMs`; a proxy's page only the header (seconds; a date is ignored).
  const retryAfterSeconds = Number(response.headers.get(HEADERS.retryAfter));
  const details = retryAfterSeconds > 0 ? { retryAfterMs: retryAfterSeconds * 1000 } : undefined;
  const fallback = new HeraldError(codeForStatus(response.status), `HTTP ${response.status}`, { details });
  try {
    const body: unknown = await response.json();
    const error = HeraldError.fromBody(body, fallback.message);
    return error.code === 'internal' && fallback.code !== 'internal' ? fallback : error;
  } catch {
    return fallback;
  }
}

/** A thrown value as a HeraldError: anything foreign comes from the network or the runtime and is retryable. */
export function toHeraldError(error: unknown): HeraldError {
  return isHeraldError(error) ? error : networkError(error);
}

/** The wait an answer asks for before a retry (`rate_limited`'s `retryAfterMs`), in ms; 0 when none. */
export function resolveRetryAfterMs(error: unknown): number {
  return Number((error as { details?: { retryAfterMs?: unknown } } | undefined)?.details?.retryAfterMs) || 0;
}

/** Turns anything fetch threw into a retryable `unavailable` error. */
function networkError(cause: unknown): HeraldError {
  return new HeraldError('unavailable', 'the server could not be reached', { cause });
}

/** The Herald HTTP API as the client uses it; every failure is a `HeraldError`. */
export class HttpApi {
  readonly #baseUrl: string;
  readonly #fetch: FetchFunction;
  readonly #tokens: TokenSource;
  /** The client's presence label, sent where a request makes it a watcher (SSE, events and snapshot polls). */
  readonly #label: string | undefined;

  constructor(baseUrl: string, fetch: FetchFunction, tokens: TokenSource, label?: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = fetch;
    this.#tokens = tokens;
    this.#label = label;
  }

  /** `GET /v1/streams/{stream}/events?after=&epoch=&wait=`; `waitSeconds` makes it a long-poll. */
  async readEvents(
    stream: string,
    position: Position,
    waitSeconds?: number,
    signal?: AbortSignal,
  ): Promise<EventsPage> {
    const path = withQuery(streamEventsPath(stream), {
      [QUERY_PARAMS.after]: position.after,
      [QUERY_PARAMS.epoch]: position.epoch ?? undefined,
      [QUERY_PARAMS.wait]: waitSeconds,
      // An ETag poll of events counts as a watcher too (docs/protocol.md "Presence").
      [QUERY_PARAMS.label]: this.#label,
    });
    const response = await this.#request(path, { signal });
    return readJson<EventsPage>(response);
  }

  /**
   * `GET /v1/streams/{stream}` with `If-None-Match`. `isWatching`: the read is the poll transport's,
   * counted in presence as a watcher (`watch=1`, with the label); a one-off read is not.
   */
  async readSnapshot(
    stream: string,
    etag?: string | null,
    signal?: AbortSignal,
    isWatching = false,
  ): Promise<TaggedSnapshot | undefined> {
    const path = isWatching
      ? withQuery(streamPath(stream), { [QUERY_PARAMS.watch]: 1, [QUERY_PARAMS.label]: this.#label })
      : streamPath(stream);
    const response = await this.#request(path, { headers: conditionalHeaders(etag), signal });
    if (response.status === 304) return undefined;
    return { snapshot: await readJson<StreamSnapshot>(response), etag: response.headers.get(HEADERS.etag) };
  }

  /** Opens the multi-stream SSE response `GET /v1/sse` (`204` when every stream is final and fully read). */
  openEventStreams(streams: string[], cursor: string, signal: AbortSignal): Promise<Response> {
    const path = withQuery(API_PATHS.sse, {
      [QUERY_PARAMS.stream]: streams,
      [QUERY_PARAMS.cursor]: cursor || undefined,
      [QUERY_PARAMS.label]: this.#label,
    });
    return this.#request(path, { headers: SSE_HEADERS, signal });
  }

  /** `GET /v1/streams/{stream}/presence`: who watches the stream. */
  async readPresence(stream: string, signal?: AbortSignal): Promise<StreamPresence> {
    return readJson<StreamPresence>(await this.#request(streamPresencePath(stream), { signal }));
  }

  /** `GET /v1/streams?prefix=&limit=&cursor=` with `If-None-Match`. */
  async listStreams(
    query: StreamListQuery,
    etag?: string | null,
    signal?: AbortSignal,
  ): Promise<TaggedStreamList | undefined> {
    const path = withDefinedQuery(API_PATHS.streams, {
      [QUERY_PARAMS.prefix]: query.prefix,
      [QUERY_PARAMS.limit]: query.limit,
      [QUERY_PARAMS.cursor]: query.cursor,
    });
    const response = await this.#request(path, { headers: conditionalHeaders(etag), signal });
    if (response.status === 304) return undefined;
    return { page: await readJson<StreamListPage>(response), etag: response.headers.get(HEADERS.etag) };
  }

  /** Opens the stream-list watch `GET /v1/streams?prefix=&watch=1` (SSE of snapshot changes). */
  openStreamListWatch(prefix: string, limit: number, signal: AbortSignal): Promise<Response> {
    const path = withDefinedQuery(API_PATHS.streams, {
      [QUERY_PARAMS.prefix]: prefix,
      [QUERY_PARAMS.limit]: limit,
      [QUERY_PARAMS.watch]: 1,
    });
    return this.#request(path, { headers: SSE_HEADERS, signal });
  }

  /** `GET /v1/events?…`: the cross-stream history query, one page. */
  async queryEvents(query: HistoryQuery, signal?: AbortSignal): Promise<HistoryPage> {
    return readJson<HistoryPage>(await this.#request(historyPath(query), { signal }));
  }

  /** `GET /v1/events?…&cursor=&wait=`: one page of a live feed after `cursor`, held up to `waitSeconds`. */
  async readFeed(
    filter: FeedFilter,
    cursor: string | undefined,
    waitSeconds: number,
    signal?: AbortSignal,
  ): Promise<FeedPage> {
    const path = historyPath({ ...toHistoryFilter(filter), cursor, [QUERY_PARAMS.wait]: waitSeconds });
    return readJson<FeedPage>(await this.#request(path, { signal }));
  }

  /** Opens a live feed as SSE: `GET /v1/events?…&cursor=` with `Accept: text/event-stream`. */
  openFeedStream(filter: FeedFilter, cursor: string | undefined, signal: AbortSignal): Promise<Response> {
    return this.#request(historyPath({ ...toHistoryFilter(filter), cursor }), { headers: SSE_HEADERS, signal });
  }

  /** `POST /v1/streams/{stream}/events` with one event. */
  async publish(stream: string, event: object): Promise<PublishResult> {
    const response = await this.#request(streamEventsPath(stream), {
      method: 'POST',
      headers: { [HEADERS.contentType]: 'application/json' },
      body: JSON.stringify(event),
    });
    return readJson<PublishResult>(response);
  }

  async #request(path: string, init: RequestInit & { headers?: Record<string, string> }): Promise<Response> {
    const response = await this.#send(path, init, await this.#tokens.ready());
    if (response.status !== 401 || !this.#tokens.canRefresh) return this.#check(response);
    await response.body?.cancel();
    return this.#check(await this.#send(path, init, await this.#tokens.refresh()));
  }

  async #send(path: string, init: RequestInit & { headers?: Record<string, string> }, token: string | undefined) {
    const headers = token ? { ...init.headers, [HEADERS.authorization]: `Bearer ${token}` } : init.headers;
    try {
      return await this.#fetch(`${this.#baseUrl}${path}`, { ...init, headers });
    } catch (cause) {
      throw networkError(cause);
    }
  }

  async #check(response: Response): Promise<Response> {
    if (response.ok || response.status === 304) return response;
    throw await errorFromResponse(response);
  }
}

/** Reads a JSON body; a connection cut mid-body is a retryable `unavailable`. */
async function readJson<T>(response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (cause) {
    throw networkError(cause);
  }
}

/** A feed filter named as the history query names it. */
function toHistoryFilter(filter: FeedFilter): HistoryQuery {
  const { types, ...rest } = filter;
  return types === undefined ? rest : { ...rest, type: types };
}

/** The `GET /v1/events` path of a history query (`type=a,b`, `tag.K=V`), plus any extra parameter such as `wait`. */
function historyPath(query: HistoryQuery & { wait?: number }): string {
  const { type, tags, ...rest } = query;
  const filters: Record<string, QueryValue> = {
    ...(rest as Record<string, QueryValue>),
    [QUERY_PARAMS.type]: type?.join(','),
  };
  for (const [key, value] of Object.entries(tags ?? {})) filters[`${TAG_QUERY_PREFIX}${key}`] = value;
  return withDefinedQuery(API_PATHS.events, filters);
}

const SSE_HEADERS = { [HEADERS.accept]: EVENT_STREAM_MEDIA_TYPE };

/** `If-None-Match` when an ETag is known. */
function conditionalHeaders(etag: string | null | undefined): Record<string, string> {
  return etag ? { [HEADERS.ifNoneMatch]: etag } : {};
}

/** `withQuery` leaving out empty strings too: an empty filter means no filter. */
function withDefinedQuery(path: string, query: Record<string, QueryValue>): string {
  const defined: Record<string, QueryValue> = {};
  for (const [name, value] of Object.entries(query)) defined[name] = value === '' ? undefined : value;
  return withQuery(path, defined);
}
