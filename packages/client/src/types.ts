import type {
  EventInput,
  FeedEvent,
  FeedFilter,
  HeraldError,
  HeraldEvent,
  HistoryPage,
  JsonValue,
  PublishResult,
  StreamListPage,
  StreamPresence,
  StreamSnapshot,
} from '@herald/protocol';

/** The wires a client can use, best first (DESIGN "Client SDK"). */
export type TransportKind = 'websocket' | 'sse' | 'longpoll' | 'poll';

/** The default transport order: push transports first, ETag polling last. */
export const TRANSPORT_ORDER: readonly TransportKind[] = ['websocket', 'sse', 'longpoll', 'poll'];

/**
 * The client's connection status: `live` on a push transport (WebSocket, SSE), `polling` on a
 * pull transport (long-poll, ETag poll), `reconnecting` while backing off after a failure,
 * `offline` while the browser reports no network.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline';

/** A subscription's status: the connection's, or `final` once its stream is closed for good. */
export type SubscriptionStatus = ConnectionStatus | 'final';

/** A WebSocket constructor: the browser's, Node 22's global, or `ws`'s on Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * The part of the WebSocket API the client uses, satisfied by browsers' WebSocket and by `ws`'s
 * (listener events are read structurally: `data` of a message, `code` and `reason` of a close).
 */
export interface WebSocketLike {
  readonly readyState: number;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: object) => void): void;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A fetch function: `globalThis.fetch` or any compatible implementation. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** Options of `createClient`. */
export interface ClientOptions {
  /** Base URL of the Herald server, e.g. `https://herald.example.com` (WebSocket URL derived from it). */
  url: string;
  /** A bearer token for subscribing and publishing (JWT or API key). */
  token?: string;
  /** Returns a fresh token; called at start, when the server says the token expired, and before a JWT's `exp`. */
  getToken?: () => string | Promise<string>;
  /** Transports to use, in preference order. Default `['websocket', 'sse', 'longpoll', 'poll']`. */
  transports?: TransportKind[];
  /** Silence after which a subscription fetches `events?after=` once, in ms. Default 4000. */
  staleAfterMs?: number;
  /** How often a degraded client tries to move back up the transport order, in ms. Default 30000. */
  probeIntervalMs?: number;
  /**
   * How long an optimistic publish may wait in the outbox for the server (down, unreachable,
   * offline) before it is rolled back, in ms. Default 300000 (5 minutes).
   */
  outboxExpiryMs?: number;
  /** WebSocket constructor. Default `globalThis.WebSocket` (pass `ws`'s on Node 20). */
  WebSocket?: WebSocketConstructor;
  /** fetch implementation. Default `globalThis.fetch`. */
  fetch?: FetchFunction;
  /**
   * The name this client asks to be shown by in presence (docs/protocol.md "Presence"), on every
   * stream it watches; the server uses it only where the token allows (a JWT's `sub` wins).
   * 1 to 64 characters, no control, format (bidirectional, zero-width) or separator characters:
   * `createClient` throws `invalid_request` otherwise.
   */
  label?: string;
}

/** A snapshot of one subscription; the same object is returned until something changes. */
export interface SubscriptionSnapshot {
  /** The stream's state document, with pending optimistic patches applied on top. */
  state: JsonValue;
  /** The latest events delivered (at most the subscription's `maxEvents`), in seq order. */
  events: readonly HeraldEvent[];
  /** The last delivered seq (0 before the first event). */
  seq: number;
  /** Whether the stream is closed for good (its final event was delivered). */
  final: boolean;
  status: SubscriptionStatus;
  /** Epoch ms when the last event was delivered; `null` before the first. */
  lastEventAt: number | null;
  /** Events published optimistically and not yet echoed by the server, in publish order. */
  pending: readonly PendingEvent[];
  /** The last error about this stream (refused subscription, failed catch-up); cleared by the next event. */
  error: HeraldError | null;
}

/** An optimistic publish not yet confirmed by the server's echo. */
export interface PendingEvent {
  id: string;
  type: string;
  data?: JsonValue;
  state?: JsonValue;
}

/** Callbacks of `subscribe`. */
export interface SubscribeOptions {
  /** Deliver only events after this seq (the state is then read from the snapshot). Default 0: full history. */
  after?: number;
  /**
   * How many of the latest events `snapshot().events` holds, so a long run keeps bounded memory.
   * Default 1000; `Infinity` keeps every event. `onEvent` sees every event whatever this is.
   */
  maxEvents?: number;
  /** Called once per event, in seq order, never twice for one seq. */
  onEvent?: (event: HeraldEvent) => void;
  /** Called when the state changes, coalesced to at most once per animation frame (50 ms without one). */
  onState?: (state: JsonValue, snapshot: SubscriptionSnapshot) => void;
  /** Called when history was lost (retention, stream recreated) and the state was replaced by the server's. */
  onReset?: (snapshot: SubscriptionSnapshot) => void;
  /** Called once when the stream's final event has been delivered; the subscription then stops all work. */
  onFinal?: (snapshot: SubscriptionSnapshot) => void;
  /**
   * Follow who watches the stream: `subscription.presence` and its `presence` event (WebSocket
   * `presence` frames; on the other transports `GET …/presence` every 5 s). Default false.
   */
  presence?: boolean;
}

/** A live view of one stream. */
export interface Subscription {
  readonly stream: string;
  /** The current snapshot (stable reference between changes, for `useSyncExternalStore`). */
  snapshot(): SubscriptionSnapshot;
  /** Who watches the stream, when subscribed with `presence: true`; `null` until known. */
  readonly presence: StreamPresence | null;
  /** Listens to snapshot changes (coalesced like `onState`); returns the unsubscribe function. */
  on(event: 'change', listener: () => void): () => void;
  /** Listens to presence changes (with `presence: true`); returns the unsubscribe function. */
  on(event: 'presence', listener: (presence: StreamPresence) => void): () => void;
  /** Stops the subscription; idempotent. */
  close(): void;
}

/** Delivery counters of a client (seed 001's measures). */
export interface ClientStats {
  /** The transport in use, `null` before the first connection. */
  transport: TransportKind | null;
  /** HTTP reads made because push delivery was silent or absent: watchdog fetches and ETag polls. */
  polls: number;
  /** Connection attempts after the first one (reconnects, fallbacks and probes up). */
  reconnects: number;
  /** Events handed to subscribers. */
  eventsDelivered: number;
  /** Events received again and dropped (G2). */
  duplicatesDropped: number;
  /** Gaps detected and filled from `events?after=` before later events were delivered (G1). */
  gapsFilled: number;
}

/** What `publish` sends: one event (an `id` is generated when absent, making retries safe). */
export type PublishInput = EventInput;

/** Options of `publish`. */
export interface PublishOptions {
  /**
   * Show the event as pending at once (its state patch applied) and keep it in the outbox until the
   * server takes it, even across an outage or offline: events of one stream leave in publish order,
   * one at a time, under their original ids. Rolled back on a refusal (a non-retryable error, for
   * that event alone) or after `outboxExpiryMs`; the promise settles then.
   */
  optimistic?: boolean;
}

/** What `listStreams` asks for (`GET /v1/streams`). */
export interface StreamListQuery {
  /** Only streams whose name starts with this. */
  prefix?: string;
  /** Page size. Server default 100, max 1000. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** Filters of the cross-stream history query (`GET /v1/events`), named as in the HTTP API. */
export interface HistoryQuery {
  stream?: string;
  prefix?: string;
  /** Event types, any of which matches. */
  type?: string[];
  /** Tag filters `tag.K=V`, all of which must match. */
  tags?: Record<string, string>;
  /** Inclusive lower bound on event time (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on event time (ISO 8601). */
  until?: string;
  /** `asc` (oldest first, the server's default) or `desc`. */
  order?: 'asc' | 'desc';
  /** Page size. Server default 100. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** Options of the one-shot reads (`listStreams`, `queryEvents`). */
export interface ReadOptions {
  signal?: AbortSignal;
}

/** What `watchStreams` reports on every change: the streams under the prefix and how they are followed. */
export interface StreamList {
  /** Snapshots of the streams under the prefix, in no particular order (deleted streams leave it). */
  streams: readonly StreamSnapshot[];
  /**
   * How the list is followed, by the client's connection rules: `live` on the SSE watch, `polling`
   * while the list is polled with its ETag instead, `reconnecting` after a failure, `offline` while
   * the browser reports no network, `loading` before the first connection.
   */
  status: 'loading' | 'live' | 'polling' | 'reconnecting' | 'offline';
  /** The last failed read; `null` after the next successful one. */
  error: HeraldError | null;
}

/** Options of `follow`. */
export interface FollowOptions {
  /**
   * Called once per event matching the filter, in the server's global commit order (across
   * streams), never twice for one event; `event.cursor` resumes right after it.
   */
  onEvent(event: FeedEvent): void;
  /**
   * Deliver only events after this cursor: a history page's `nextCursor` or `endCursor` (the last
   * page's end), or a feed event's `cursor`. Default: from the oldest event the log holds (the history query's first page), then live.
   */
  cursor?: string;
}

/** Events a feed emits. */
export interface FeedEvents {
  status: (status: ConnectionStatus) => void;
  /**
   * A failure of the feed's connection (server gone, token refused); the feed keeps retrying. An
   * `invalid_request` (a filter or cursor the server refuses, such as a cursor beyond its log's
   * head) ends the feed instead, as `close()` does: follow again without a cursor, or from another.
   */
  error: (error: HeraldError) => void;
}

/**
 * A live filtered feed (`follow`): the history query `GET /v1/events` followed live, on its own
 * connection, by the client's transport order, watchdog and status rules.
 */
export interface Feed {
  readonly filter: FeedFilter;
  /** The connection status of the feed, as the client's: `live`, `polling`, `reconnecting`, `offline`, `connecting`. */
  readonly status: ConnectionStatus;
  /** The cursor of the last delivered event (or the one given, before any): follow again from it to resume. */
  readonly cursor: string | undefined;
  /** Whether the feed has caught up with the log once (everything up to the server's head was delivered). */
  readonly isCaughtUp: boolean;
  /** Listens to status changes or errors; returns the unsubscribe function. */
  on<K extends keyof FeedEvents>(event: K, listener: FeedEvents[K]): () => void;
  /** Stops the feed; idempotent. */
  close(): void;
}

/** Events a client emits. */
export interface ClientEvents {
  status: (status: ConnectionStatus) => void;
  /** A connection-level failure (the client keeps retrying). */
  error: (error: HeraldError) => void;
}

/** A Herald client: one connection multiplexing every subscription. */
export interface HeraldClient {
  readonly status: ConnectionStatus;
  /** Subscribes to a stream; subscribing twice to one stream gives two independent views. */
  subscribe(stream: string, options?: SubscribeOptions): Subscription;
  /** Listens to client events; returns the unsubscribe function. */
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void;
  stats(): ClientStats;
  /**
   * Publishes one event over HTTP under one idempotency id: retried up to 5 times on retryable
   * errors, or with `optimistic`, kept in the outbox until the server takes or refuses it.
   */
  publish(stream: string, event: PublishInput, options?: PublishOptions): Promise<PublishResult>;
  /** One page of stream snapshots (`GET /v1/streams`). */
  listStreams(query?: StreamListQuery, options?: ReadOptions): Promise<StreamListPage>;
  /** One page of the cross-stream history query (`GET /v1/events`). */
  queryEvents(query?: HistoryQuery, options?: ReadOptions): Promise<HistoryPage>;
  /**
   * Follows the streams under `prefix` (SSE watch, ETag polling while it is unavailable or not in
   * `transports`, nothing while offline) and calls `onChange` with the whole list on every change;
   * returns the stop function.
   */
  watchStreams(prefix: string, onChange: (list: StreamList) => void): () => void;
  /**
   * Follows every event matching `filter` across streams, live, in global commit order, from
   * `options.cursor` (docs/protocol.md "Live feed"); resumes from its last cursor after any
   * disconnect, on any node.
   */
  follow(filter: FeedFilter, options: FollowOptions): Feed;
  /** Closes every subscription, watch and the connection; idempotent. */
  close(): void;
}
