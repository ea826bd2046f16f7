import {
  HeraldError,
  type JsonValue,
  parseIsoTime,
  type StreamEventInput,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';
import type pg from 'pg';
import type { AppendLimits } from './apply-append.js';
import type {
  AppendOutcome,
  EventLog,
  EventsRead,
  HistoryQuery,
  LogHistoryPage,
  RetentionPolicy,
  StreamListQuery,
  StreamPosition,
} from './event-log.js';
import { emptyPosition, emptySnapshot } from './event-log.js';
import { commitAppendGroup } from './postgres-append.js';
import { buildPostgresHistorySql, cutAtBytes } from './postgres-history-sql.js';
import { createPostgresPool, type PostgresEventLogOptions, toRequestError, toStoreError } from './postgres-pool.js';
import { migratePostgres } from './postgres-schema.js';
import {
  assertCursorWithinLog,
  decodeStreamCursor,
  prefixRange,
  resolveHistoryQuery,
  toHistoryPage,
  toStreamListPage,
} from './query-cursors.js';
import { takePage } from './read-page.js';
import { resolveMaxEventsPerStream, resolveRetentionCutoff } from './retention-sweeper.js';

// Appends grouped into one transaction stop growing past this many events, so one group's
// transaction (and the row locks it holds) stays short.
const MAX_GROUP_EVENTS = 1000;

interface SnapshotRow {
  name: string;
  epoch: string;
  seq: number;
  first_seq: number;
  state: JsonValue;
  final: boolean;
  created_at: Date;
  updated_at: Date;
}

const FIRST_SEQ_COLUMN =
  'COALESCE((SELECT min(e.seq) FROM herald_events e WHERE e.stream = s.name), s.seq + 1) AS first_seq';
const SNAPSHOT_COLUMNS = `name, epoch, seq, state, final, created_at, updated_at, ${FIRST_SEQ_COLUMN}`;

function toSnapshot(row: SnapshotRow): StreamSnapshot {
  return {
    stream: row.name,
    epoch: row.epoch,
    seq: row.seq,
    firstSeq: row.first_seq,
    state: row.state,
    final: row.final,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

interface PendingAppend {
  entries: readonly StreamEventInput[];
  resolve: (outcome: AppendOutcome) => void;
  reject: (reason: unknown) => void;
}

/**
 * The scale-out EventLog: PostgreSQL shared by every node (`postgres://…`).
 *
 * Group commit: one append transaction is in flight per node at a time, and the appends requested
 * meanwhile all go into the next one (see postgres-append.ts), so N concurrent publishes cost one
 * commit, not N, while a lone publish waits for no timer. Concurrent nodes serialise per stream on
 * the stream's row lock, so commit order equals seq order everywhere (G1, G3).
 *
 * Idempotency covers the events the log still holds: once retention deletes an event, its `id`
 * is forgotten with it.
 */
export class PostgresEventLog implements EventLog {
  readonly #pool: pg.Pool;
  #queue: PendingAppend[] = [];
  #draining: Promise<void> | undefined;
  #isDraining = false;
  #isClosed = false;
  readonly #limits: AppendLimits;

  /**
   * Wraps a pool whose connections already use the migrated schema (see createPostgresEventLog);
   * `limits.maxStateBytes` caps each stream's state (default 1 MiB).
   */
  constructor(pool: pg.Pool, limits: AppendLimits = {}) {
    this.#pool = pool;
    this.#limits = limits;
  }

  async append(entries: readonly StreamEventInput[]): Promise<AppendOutcome> {
    this.#assertOpen();
    return new Promise((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      if (!this.#isDraining) this.#draining = this.#drain();
    });
  }

  async readEvents(stream: string, after: number, limit: number, maxBytes?: number): Promise<EventsRead> {
    this.#assertOpen();
    const pageSql = 'SELECT seq, json FROM herald_events WHERE stream = s.name AND seq > $2 ORDER BY seq LIMIT $3';
    // One statement is one MVCC snapshot: the head and the events agree under concurrent appends.
    const { rows } = await this.#read<SnapshotRow & { seqs: number[] | null; jsons: string[] | null }>(
      `SELECT ${SNAPSHOT_COLUMNS}, page.seqs, page.jsons
       FROM herald_streams s
       CROSS JOIN LATERAL (
         SELECT array_agg(e.seq ORDER BY e.seq) AS seqs, array_agg(e.json ORDER BY e.seq) AS jsons
         FROM (${maxBytes === undefined ? pageSql : cutAtBytes(pageSql, 'seq, json', 'seq', '$4')}) e
       ) page
       WHERE s.name = $1`,
      maxBytes === undefined ? [stream, after, limit + 1] : [stream, after, limit + 1, maxBytes],
    );
    const row = rows[0];
    if (row === undefined) return { snapshot: emptySnapshot(stream), events: [], hasMore: false };
    const records = (row.seqs ?? []).map((seq, i) => ({ stream, seq, json: row.jsons![i]! }));
    const { rows: events, hasMore } = takePage(records, limit, maxBytes);
    return { snapshot: toSnapshot(row), events, hasMore };
  }

  async getSnapshot(stream: string): Promise<StreamSnapshot> {
    this.#assertOpen();
    const { rows } = await this.#read<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM herald_streams s WHERE s.name = $1`,
      [stream],
    );
    return rows[0] === undefined ? emptySnapshot(stream) : toSnapshot(rows[0]);
  }

  async deploymentId(): Promise<string> {
    this.#assertOpen();
    const { rows } = await this.#read<{ id: string }>('SELECT id FROM herald_deployment', []);
    return rows[0]!.id;
  }

  async getPosition(stream: string): Promise<StreamPosition> {
    this.#assertOpen();
    const { rows } = await this.#read<Pick<SnapshotRow, 'epoch' | 'seq' | 'first_seq'>>(
      `SELECT epoch, seq, ${FIRST_SEQ_COLUMN} FROM herald_streams s WHERE s.name = $1`,
      [stream],
    );
    const row = rows[0];
    return row === undefined
      ? emptyPosition(stream)
      : { stream, epoch: row.epoch, seq: row.seq, firstSeq: row.first_seq };
  }

  async listStreams(query: StreamListQuery): Promise<StreamListPage> {
    this.#assertOpen();
    const [lowest, beyond] = query.prefix === undefined ? [null, null] : prefixRange(query.prefix);
    const afterName = query.cursor === undefined ? null : decodeStreamCursor(query.cursor);
    const { rows } = await this.#read<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM herald_streams s
       WHERE ($1::text IS NULL OR (s.name >= $1 AND s.name < $2)) AND ($3::text IS NULL OR s.name > $3)
       ORDER BY s.name LIMIT $4`,
      [lowest, beyond, afterName, query.limit + 1],
    );
    return toStreamListPage(rows.map(toSnapshot), query.limit);
  }

  async queryEvents(query: HistoryQuery): Promise<LogHistoryPage> {
    this.#assertOpen();
    const resolved = resolveHistoryQuery(query);
    const { sql, params } = buildPostgresHistorySql(resolved);
    const { rows } = await this.#read<{ position: number; json: string }>(sql, params);
    await assertCursorWithinLog(resolved, rows.length, async () => {
      // The identity sequence's last value: the highest position ever drawn, deleted or rolled back.
      const last = await this.#read<{ last: string }>(
        "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence('herald_events', 'position')::regclass), 0) AS last",
        [],
      );
      return Number(last.rows[0]!.last);
    });
    return toHistoryPage(rows, resolved);
  }

  async deleteStream(stream: string): Promise<boolean> {
    this.#assertOpen();
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // Locking the row first waits out an append in flight, so no event of it survives the delete.
      const { rowCount } = await client.query('SELECT 1 FROM herald_streams WHERE name = $1 FOR UPDATE', [stream]);
      await client.query('DELETE FROM herald_events WHERE stream = $1', [stream]);
      await client.query('DELETE FROM herald_streams WHERE name = $1', [stream]);
      await client.query('COMMIT');
      client.release();
      return rowCount === 1;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(error as Error);
      throw toStoreError(error);
    }
  }

  async deleteEventsOlderThan(time: string): Promise<number> {
    this.#assertOpen();
    const cutoff = parseIsoTime(time, 'olderThan');
    const { rowCount } = await this.#pool.query('DELETE FROM herald_events WHERE time < $1', [cutoff]);
    return rowCount ?? 0;
  }

  async sweepRetention(policy: RetentionPolicy): Promise<number> {
    this.#assertOpen();
    const cutoff = resolveRetentionCutoff(policy);
    let deleted = cutoff === undefined ? 0 : await this.deleteEventsOlderThan(cutoff);
    const maxEventsPerStream = resolveMaxEventsPerStream(policy);
    if (maxEventsPerStream !== undefined) {
      const { rowCount } = await this.#pool.query(
        `DELETE FROM herald_events e USING herald_streams s
         WHERE e.stream = s.name AND s.seq > $1 AND e.seq <= s.seq - $1`,
        [maxEventsPerStream],
      );
      deleted += rowCount ?? 0;
    }
    return deleted;
  }

  async checkHealth(): Promise<void> {
    this.#assertOpen();
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw new HeraldError('unavailable', 'PostgreSQL cannot be reached', { cause: error });
    }
  }

  /** Commits the appends already requested, then closes the pool. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#draining;
    await this.#pool.end();
  }

  /** One read query; its failures are mapped by toRequestError. */
  async #read<TRow extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<pg.QueryResult<TRow>> {
    try {
      return await this.#pool.query<TRow>(sql, params);
    } catch (error) {
      throw toRequestError(error);
    }
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new HeraldError('unavailable', 'the event log is closed');
  }

  /** Commits queued appends group after group until the queue is empty. */
  async #drain(): Promise<void> {
    // The flag is set before the first await and cleared in the same continuation as the final
    // queue check, so an append queued at any moment either joins this loop or starts the next.
    this.#isDraining = true;
    try {
      while (this.#queue.length > 0) await this.#commitGroup(this.#takeGroup());
    } finally {
      this.#isDraining = false;
    }
  }

  /** Commits one group and settles each of its appends; never rejects. */
  async #commitGroup(group: PendingAppend[]): Promise<void> {
    let settled: PromiseSettledResult<AppendOutcome>[];
    try {
      const client = await this.#pool.connect();
      try {
        settled = await commitAppendGroup(
          client,
          group.map((pending) => pending.entries),
          this.#limits,
        );
        client.release();
      } catch (error) {
        // A connection that failed mid-transaction is discarded, not handed to the next group.
        client.release(error as Error);
        throw error;
      }
    } catch (error) {
      // The outcome of a group whose connection failed is unknown: a retry with the same ids is safe (G5).
      const reason = toStoreError(error);
      for (const pending of group) pending.reject(reason);
      return;
    }
    group.forEach((pending, i) => {
      const outcome = settled[i]!;
      if (outcome.status === 'fulfilled') pending.resolve(outcome.value);
      else pending.reject(outcome.reason);
    });
  }

  /** Takes the oldest queued appends, up to MAX_GROUP_EVENTS events (always at least one request). */
  #takeGroup(): PendingAppend[] {
    let events = 0;
    let count = 0;
    for (const pending of this.#queue) {
      events += pending.entries.length;
      if (count > 0 && events > MAX_GROUP_EVENTS) break;
      count += 1;
    }
    return this.#queue.splice(0, count);
  }
}

/**
 * Opens the PostgreSQL event log at `url` (`postgres://user:pass@host:5432/db?schema=herald`):
 * connects, creates the schema and applies pending migrations (safe when several nodes start at
 * once), and rejects when the database cannot be reached.
 */
export async function createPostgresEventLog(
  url: string,
  options: PostgresEventLogOptions & AppendLimits = {},
): Promise<PostgresEventLog> {
  const { pool, schema } = createPostgresPool(url, options);
  try {
    await migratePostgres(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresEventLog(
    pool,
    options.maxStateBytes === undefined ? {} : { maxStateBytes: options.maxStateBytes },
  );
}
