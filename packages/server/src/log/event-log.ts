import type { HistoryPage, JsonValue, StreamEventInput, StreamListPage, StreamSnapshot } from '@herald/protocol';

/**
 * One stored event, carried as the exact JSON text that was stored: an event is serialised once,
 * when it is appended, and that text is what every reader and every transport sends.
 */
export interface EventRecord {
  readonly stream: string;
  readonly seq: number;
  /** `JSON.stringify(event)` of the full HeraldEvent, as stored. */
  readonly json: string;
}

/** The outcome of one atomic append. */
export interface AppendOutcome {
  /** One entry per input event, in input order; `duplicate` when its `id` was already in the stream. */
  results: { stream: string; id: string; seq: number; duplicate: boolean }[];
  /** The events actually appended (duplicates excluded), in commit order: per stream, seq order. */
  appended: EventRecord[];
  /** Each touched stream's epoch and head seq after the append. */
  heads: { stream: string; epoch: string; seq: number }[];
}

/** A read of one stream from a position. */
export interface EventsRead {
  snapshot: StreamSnapshot;
  /** Events with `seq > after`, at most `limit` and about `maxBytes` of JSON (see takePage), in seq order. */
  events: EventRecord[];
  hasMore: boolean;
}

/** Filters of the cross-stream history query (`GET /v1/events`). */
export interface HistoryQuery {
  stream?: string;
  prefix?: string;
  types?: string[];
  tags?: Record<string, string>;
  /** Inclusive lower bound on event time (ISO 8601). */
  since?: string;
  /** Exclusive upper bound on event time (ISO 8601). */
  until?: string;
  order: 'asc' | 'desc';
  limit: number;
  /** Opaque keyset cursor from a previous page. */
  cursor?: string;
  /** A feed page: every event carries its cursor, and `nextCursor` is set whenever an event is (see toHistoryPage). */
  withCursors?: boolean;
  /** Bounds the page's JSON in bytes as well as `limit` in count (see takePage); no bound if absent. */
  maxBytes?: number;
}

/** A history page as the log reads it. */
export interface LogHistoryPage extends HistoryPage {
  /**
   * On feed pages (`withCursors`): whether more events follow. A page cut at `maxBytes` holds
   * fewer than `limit` events, so its count cannot tell.
   */
  hasMore?: boolean;
}

/** Filters of the stream list (`GET /v1/streams`). */
export interface StreamListQuery {
  prefix?: string;
  limit: number;
  cursor?: string;
}

/** Retention policy applied by the sweeper. */
export interface RetentionPolicy {
  /** Events older than this are deleted (ms; absent or 0 = no age limit). */
  maxAgeMs?: number;
  /** Only the newest N events of each stream are kept (absent or 0 = no count limit). */
  maxEventsPerStream?: number;
}

/**
 * The durable, ordered per-stream event log. Implementations: MemoryEventLog (tests),
 * SqliteEventLog (embedded default), PostgresEventLog (scale-out). All of them pass the same
 * contract suite (test/support/event-log-contract.ts).
 *
 * Contract:
 * - `append` is atomic across all its entries (a cross-stream batch commits wholly or not at all)
 *   and durable before it resolves (G-durable). Per stream, seqs are contiguous from 1 and never
 *   reused, and commit order equals seq order.
 * - An entry whose `id` the stream already holds appends nothing and reports the original seq.
 * - `expectedSeq` mismatch → HeraldError `seq_conflict`; appending to a final stream →
 *   `stream_final`; in both cases nothing of the batch is appended.
 * - Retention and admin deletes never change a stream's head seq; deleting a stream makes its name
 *   read as a never-created stream, and a later append gives it a new epoch.
 * - Idempotency covers the events still held: once retention deletes an event, its `id` is forgotten.
 * - `queryEvents` orders events by insertion (commit) order across streams, which within a stream
 *   is seq order; its cursors are keyset positions, so pages never skip or repeat an event.
 */
export interface EventLog {
  /**
   * The id of the deployment this store belongs to, made once when the store is created: every
   * node opening the same store reads the same id. The server namespaces its Redis channels and
   * keys with it, so two deployments sharing one Redis never deliver each other's events.
   */
  deploymentId(): Promise<string>;
  append(entries: readonly StreamEventInput[]): Promise<AppendOutcome>;
  /** Reads `stream` after `after`: at most `limit` events, and about `maxBytes` of them (no bound if absent). */
  readEvents(stream: string, after: number, limit: number, maxBytes?: number): Promise<EventsRead>;
  getSnapshot(stream: string): Promise<StreamSnapshot>;
  /**
   * The snapshot's epoch, seq and firstSeq without its state: what a snapshot's content follows
   * from (its state, `final` and times change only with its seq), read cheaply to revalidate it.
   */
  getPosition(stream: string): Promise<StreamPosition>;
  listStreams(query: StreamListQuery): Promise<StreamListPage>;
  queryEvents(query: HistoryQuery): Promise<LogHistoryPage>;
  /** Deletes a stream (events, state, epoch). Resolves whether it existed. */
  deleteStream(stream: string): Promise<boolean>;
  /** Deletes every event older than `time` (ISO 8601); resolves how many. */
  deleteEventsOlderThan(time: string): Promise<number>;
  /** Applies the retention policy once; resolves how many events were deleted. */
  sweepRetention(policy: RetentionPolicy): Promise<number>;
  /** Rejects when the store cannot be reached (readiness). */
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}

/** Where a stream stands: a snapshot without its state, `final` and times. */
export type StreamPosition = Pick<StreamSnapshot, 'stream' | 'epoch' | 'seq' | 'firstSeq'>;

/** The position of a stream that does not exist (yet). */
export function emptyPosition(stream: string): StreamPosition {
  return { stream, epoch: null, seq: 0, firstSeq: 1 };
}

/** The empty snapshot of a stream that does not exist (yet). */
export function emptySnapshot(stream: string): StreamSnapshot {
  return {
    ...emptyPosition(stream),
    state: null as JsonValue,
    final: false,
    createdAt: null,
    updatedAt: null,
  };
}
