/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Flat string→string map, indexed for history queries (`{batchId, jobId, orgId}`). */
export type Tags = Record<string, string>;

/** One event of a stream, as stored and delivered (DESIGN "Concepts"). */
export interface HeraldEvent {
  stream: string;
  /** Integer ≥ 1, contiguous per stream, assigned by Herald. */
  seq: number;
  /** Producer idempotency key, or a server-generated UUIDv7. */
  id: string;
  type: string;
  /** Server receive time, ISO 8601 UTC with milliseconds. */
  time: string;
  data?: JsonValue;
  /** JSON Merge Patch (RFC 7396) applied to the stream's state document. */
  state?: JsonValue;
  tags?: Tags;
  /** Present and true on the event that closes the stream. */
  final?: true;
}

/** What a producer publishes for one event. */
export interface EventInput {
  type: string;
  data?: JsonValue;
  state?: JsonValue;
  tags?: Tags;
  id?: string;
  final?: boolean;
  /** The stream's head `seq` the producer expects before this event; mismatch → `seq_conflict`. */
  expectedSeq?: number;
}

/** An event input addressed to a stream, as in a cross-stream batch. */
export interface StreamEventInput extends EventInput {
  stream: string;
}

/** A stream's current snapshot (`GET /v1/streams/{stream}`). */
export interface StreamSnapshot {
  stream: string;
  /** Random id given when the stream is created; `null` while the stream does not exist. */
  epoch: string | null;
  /** Head seq: the last event appended, 0 for an empty stream. */
  seq: number;
  /** Oldest seq still held; `seq + 1` when no event is held. */
  firstSeq: number;
  state: JsonValue;
  final: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

/** The answer to a publish: `201` (or `200` when every event was an idempotent repeat). */
export interface PublishResult {
  stream: string;
  epoch: string;
  /** The stream's head after the publish. */
  seq: number;
  events: { id: string; seq: number }[];
}

/** The answer to a cross-stream batch publish (`POST /v1/events`). */
export interface MultiPublishResult {
  streams: { stream: string; epoch: string; seq: number }[];
  events: { stream: string; id: string; seq: number }[];
}

/** A page of a stream's events (`GET /v1/streams/{stream}/events`). */
export interface EventsPage {
  stream: string;
  epoch: string | null;
  /** The stream's head seq when the page was read. */
  seq: number;
  firstSeq: number;
  final: boolean;
  events: HeraldEvent[];
  hasMore: boolean;
  /** Present when the requested position is gone (retention) or the epoch changed. */
  reset?: true;
  /** The snapshot state, sent with `reset`. */
  state?: JsonValue;
}

/** A page of stream snapshots (`GET /v1/streams`). */
export interface StreamListPage {
  streams: StreamSnapshot[];
  nextCursor?: string;
}

/** A page of the cross-stream history query (`GET /v1/events`). */
export interface HistoryPage {
  events: HeraldEvent[];
  /** The next page's cursor; absent on the last page (read pages while it is present). */
  nextCursor?: string;
  /**
   * An ascending page's end: the cursor right after its last event, else the request's own cursor
   * (absent when the page is empty and the request had no cursor, and on descending pages). A
   * live feed of the same filter started from it continues where the page stopped: nothing lost,
   * nothing repeated.
   */
  endCursor?: string;
}
