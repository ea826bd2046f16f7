import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  HeraldError,
  parseIsoTime,
  type StreamEventInput,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';
import Database from 'better-sqlite3';
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
import {
  assertCursorWithinLog,
  decodeStreamCursor,
  type ResolvedHistoryQuery,
  resolveHistoryQuery,
  toHistoryPage,
  toStreamListPage,
} from './query-cursors.js';
import { takePage } from './read-page.js';
import { resolveMaxEventsPerStream, resolveRetentionCutoff } from './retention-sweeper.js';
import { assertSqliteWritable, configureSqlite, migrateSqlite } from './sqlite-schema.js';
import {
  buildHistorySql,
  buildStreamListSql,
  prepareSqliteStatements,
  type SnapshotRow,
  type SqliteStatements,
  toSnapshot,
} from './sqlite-sql.js';
import { SqliteWriter } from './sqlite-writer.js';

/** Events deleted per statement, and streams trimmed per transaction, by retention: small enough
 * that a sweep of a large log never blocks appends for long (it yields between chunks). */
const SWEEP_CHUNK_SIZE = 1000;

/**
 * The embedded EventLog: one SQLite database file (better-sqlite3), the default store.
 *
 * Durability (G4): WAL journal with `synchronous = FULL`, so every commit is fsynced before an
 * append's promise resolves. Appends are committed by a writer thread (SqliteWriter) on its own
 * connection, so the fsync never stalls the event loop; reads, deletes and retention run on this
 * thread's connection (WAL readers see every committed append, and never wait for the writer).
 * Group commit keeps durability affordable: the appends that queue up while the writer commits run
 * in ONE transaction, each inside its own SAVEPOINT, so a request that fails (`seq_conflict`,
 * `stream_final`) rolls back alone while the others commit with a single fsync (sqlite-append.ts).
 *
 * Idempotency covers the events the log still holds: once retention deletes an event, its `id`
 * is forgotten with it.
 */
export class SqliteEventLog implements EventLog {
  readonly #db: Database.Database;
  readonly #writer: SqliteWriter;
  readonly #statements: SqliteStatements;
  // One read transaction, so the snapshot's head and the events agree even when the writer thread
  // commits between the two reads. Built once: wrapping a function per call showed in profiles.
  readonly #readEventsInTransaction: Database.Transaction<
    (stream: string, after: number, limit: number, maxBytes: number | undefined) => EventsRead
  >;
  readonly #queryEventsInTransaction: Database.Transaction<(query: ResolvedHistoryQuery) => LogHistoryPage>;
  readonly #onClose: (() => void) | undefined;
  #isClosed = false;

  /**
   * Opens (creating and migrating as needed) the database file at `filename`;
   * `limits.maxStateBytes` caps each stream's state (default 1 MiB). `onClose` runs once the log
   * has closed (the server releases its SqliteOwnerLock there).
   */
  constructor(filename: string, limits: AppendLimits = {}, { onClose }: { onClose?: () => void } = {}) {
    this.#onClose = onClose;
    const db = new Database(filename);
    this.#db = db;
    try {
      configureSqlite(db);
      // Migrated before the writer starts, so the writer's statements find every table.
      migrateSqlite(db);
      // A read-only file must fail the open, not every append after the server reported ready.
      assertSqliteWritable(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#statements = prepareSqliteStatements(db);
    this.#readEventsInTransaction = db.transaction(
      (stream: string, after: number, limit: number, maxBytes: number | undefined) => {
        // Iterated, not `all()`: rows past the page's bytes are never read into memory.
        const rows = this.#statements.selectEventsAfter.iterate(stream, after, limit + 1);
        const { rows: events, hasMore } = takePage(rows, limit, maxBytes);
        return { snapshot: this.#snapshot(stream), events, hasMore };
      },
    );
    // One read transaction: the positions and the JSON read after them agree under deletes.
    this.#queryEventsInTransaction = db.transaction((query: ResolvedHistoryQuery) => {
      const { sql, params } = buildHistorySql(query);
      const positions = db
        .prepare<(string | number)[], number>(sql)
        .pluck()
        .all(...params, query.limit + 1);
      return toHistoryPage(withJson(this.#statements.selectJsonByInsertionId, positions), query);
    });
    this.#writer = new SqliteWriter(filename, limits);
  }

  /**
   * Resolves once the writer thread is ready to commit (rejects with `unavailable` if it failed to
   * open the database), so a server can wait for it before it listens.
   */
  whenStarted(): Promise<void> {
    return this.#writer.whenStarted();
  }

  async append(entries: readonly StreamEventInput[]): Promise<AppendOutcome> {
    this.#assertOpen();
    return this.#writer.append(entries);
  }

  async readEvents(stream: string, after: number, limit: number, maxBytes?: number): Promise<EventsRead> {
    this.#assertOpen();
    return this.#readEventsInTransaction(stream, after, limit, maxBytes);
  }

  async getSnapshot(stream: string): Promise<StreamSnapshot> {
    this.#assertOpen();
    return this.#snapshot(stream);
  }

  async deploymentId(): Promise<string> {
    this.#assertOpen();
    return this.#db.prepare<[], { id: string }>('SELECT id FROM deployment').get()!.id;
  }

  async getPosition(stream: string): Promise<StreamPosition> {
    this.#assertOpen();
    const row = this.#statements.selectPosition.get(stream);
    return row ? { stream, epoch: row.epoch, seq: row.seq, firstSeq: row.first_seq } : emptyPosition(stream);
  }

  async listStreams(query: StreamListQuery): Promise<StreamListPage> {
    this.#assertOpen();
    const { sql, params } = buildStreamListSql(
      query.prefix,
      query.cursor === undefined ? undefined : decodeStreamCursor(query.cursor),
    );
    const rows = this.#db.prepare<(string | number)[], SnapshotRow>(sql).all(...params, query.limit + 1);
    return toStreamListPage(rows.map(toSnapshot), query.limit);
  }

  async queryEvents(query: HistoryQuery): Promise<LogHistoryPage> {
    this.#assertOpen();
    const resolved = resolveHistoryQuery(query);
    const page = this.#queryEventsInTransaction(resolved);
    await assertCursorWithinLog(
      resolved,
      page.events.length,
      () => this.#statements.selectLastInsertionId.get()?.seq ?? 0,
    );
    return page;
  }

  async deleteStream(stream: string): Promise<boolean> {
    this.#assertOpen();
    return this.#db.transaction(() => {
      this.#statements.deleteStreamEvents.run(stream);
      return this.#statements.deleteStream.run(stream).changes > 0;
    })();
  }

  async deleteEventsOlderThan(time: string): Promise<number> {
    this.#assertOpen();
    const cutoff = parseIsoTime(time, 'olderThan');
    let deleted = 0;
    for (;;) {
      const { changes } = this.#statements.deleteOlderChunk.run(cutoff, SWEEP_CHUNK_SIZE);
      deleted += changes;
      if (changes < SWEEP_CHUNK_SIZE) return deleted;
      await yieldToEventLoop();
      if (this.#isClosed) return deleted;
    }
  }

  async sweepRetention(policy: RetentionPolicy): Promise<number> {
    this.#assertOpen();
    const cutoff = resolveRetentionCutoff(policy);
    let deleted = cutoff === undefined ? 0 : await this.deleteEventsOlderThan(cutoff);
    const maxEventsPerStream = resolveMaxEventsPerStream(policy);
    if (maxEventsPerStream === undefined) return deleted;

    const overCount = this.#statements.selectStreamsOverCount.all(maxEventsPerStream, maxEventsPerStream);
    const trimChunk = this.#db.transaction((chunk: typeof overCount) =>
      chunk.reduce(
        (sum, { name, lastDroppedSeq }) => sum + this.#statements.deleteUpToSeq.run(name, lastDroppedSeq).changes,
        0,
      ),
    );
    for (let start = 0; start < overCount.length && !this.#isClosed; start += SWEEP_CHUNK_SIZE) {
      deleted += trimChunk(overCount.slice(start, start + SWEEP_CHUNK_SIZE));
      await yieldToEventLoop();
    }
    return deleted;
  }

  async checkHealth(): Promise<void> {
    this.#assertOpen();
    this.#writer.assertRunning();
    this.#db.prepare('SELECT 1').get();
  }

  /** Commits the appends already requested, then closes the database. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    await this.#writer.close();
    this.#db.close();
    this.#onClose?.();
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new HeraldError('unavailable', 'the event log is closed');
  }

  #snapshot(stream: string): StreamSnapshot {
    const row = this.#statements.selectSnapshot.get(stream);
    return row ? toSnapshot(row) : emptySnapshot(stream);
  }
}

/** History rows as toHistoryPage takes them: each event's JSON is read only once the page takes it. */
function* withJson(
  selectJson: Database.Statement<[number], { json: string }>,
  positions: number[],
): Generator<{ json: string; position: number }> {
  for (const position of positions) yield { json: selectJson.get(position)!.json, position };
}
