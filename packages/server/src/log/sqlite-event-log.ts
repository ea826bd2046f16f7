import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  HeraldError,
  type HistoryPage,
  type StreamEventInput,
  type StreamListPage,
  type StreamSnapshot,
} from '@herald/protocol';
import Database from 'better-sqlite3';
import { type AppendLimits, planAppend } from './apply-append.js';
import type {
  AppendOutcome,
  EventLog,
  EventsRead,
  HistoryQuery,
  RetentionPolicy,
  StreamListQuery,
} from './event-log.js';
import { emptySnapshot } from './event-log.js';
import { GroupCommit } from './group-commit.js';
import {
  decodeStreamCursor,
  parseIsoTime,
  resolveHistoryQuery,
  toHistoryPage,
  toStreamListPage,
} from './query-cursors.js';
import { resolveMaxEventsPerStream, resolveRetentionCutoff } from './retention-sweeper.js';
import { configureSqlite, migrateSqlite } from './sqlite-schema.js';
import {
  buildHistorySql,
  buildStreamListSql,
  prepareSqliteStatements,
  type SnapshotRow,
  type SqliteStatements,
  toHead,
  toSnapshot,
} from './sqlite-sql.js';

/** Events deleted per statement, and streams trimmed per transaction, by retention: small enough
 * that a sweep of a large log never blocks appends for long (it yields between chunks). */
const SWEEP_CHUNK_SIZE = 1000;

function settle<T>(run: () => T): PromiseSettledResult<T> {
  try {
    return { status: 'fulfilled', value: run() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/**
 * The embedded EventLog: one SQLite database file (better-sqlite3), the default store.
 *
 * Durability (G4): WAL journal with `synchronous = FULL`, so every commit is fsynced before an
 * append's promise resolves. Group commit keeps that affordable: the appends requested in one
 * event-loop turn run in ONE transaction, each inside its own SAVEPOINT, so a request that fails
 * (`seq_conflict`, `stream_final`) rolls back alone while the others commit with a single fsync.
 *
 * Idempotency covers the events the log still holds: once retention deletes an event, its `id`
 * is forgotten with it.
 */
export class SqliteEventLog implements EventLog {
  readonly #db: Database.Database;
  readonly #appends: GroupCommit<readonly StreamEventInput[], AppendOutcome>;
  readonly #statements: SqliteStatements;
  readonly #limits: AppendLimits;
  #isClosed = false;

  /**
   * Opens (creating and migrating as needed) the database file at `filename`;
   * `limits.maxStateBytes` caps each stream's state (default 1 MiB).
   */
  constructor(filename: string, limits: AppendLimits = {}) {
    this.#limits = limits;
    const db = new Database(filename);
    this.#db = db;
    configureSqlite(db);
    migrateSqlite(db);
    this.#statements = prepareSqliteStatements(db);

    // Nested better-sqlite3 transactions are SAVEPOINTs: one request's failure rolls back only it.
    const appendInSavepoint = db.transaction((entries: readonly StreamEventInput[]) => this.#appendNow(entries));
    const commitGroup = db.transaction((groups: readonly (readonly StreamEventInput[])[]) =>
      groups.map((entries) => settle(() => appendInSavepoint(entries))),
    );
    // IMMEDIATE takes the write lock up front, so a group never fails half-way on a busy upgrade.
    this.#appends = new GroupCommit((groups) => commitGroup.immediate(groups));
  }

  async append(entries: readonly StreamEventInput[]): Promise<AppendOutcome> {
    this.#assertOpen();
    return this.#appends.submit(entries);
  }

  async readEvents(stream: string, after: number, limit: number): Promise<EventsRead> {
    this.#assertOpen();
    // One read transaction, so the snapshot's head and the events agree even if another process writes.
    return this.#db.transaction(() => {
      const events = this.#statements.selectEventsAfter.all(stream, after, limit + 1);
      return { snapshot: this.#snapshot(stream), events: events.slice(0, limit), hasMore: events.length > limit };
    })();
  }

  async getSnapshot(stream: string): Promise<StreamSnapshot> {
    this.#assertOpen();
    return this.#snapshot(stream);
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

  async queryEvents(query: HistoryQuery): Promise<HistoryPage> {
    this.#assertOpen();
    const resolved = resolveHistoryQuery(query);
    const { sql, params } = buildHistorySql(resolved);
    const rows = this.#db
      .prepare<(string | number)[], { insertion_id: number; json: string }>(sql)
      .all(...params, resolved.limit + 1);
    return toHistoryPage(
      rows.map((row) => ({ json: row.json, position: row.insertion_id })),
      resolved.limit,
      resolved.withCursors,
    );
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
    this.#db.prepare('SELECT 1').get();
  }

  /** Commits the appends already requested, then closes the database. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#appends.flush();
    this.#isClosed = true;
    this.#db.close();
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new HeraldError('unavailable', 'the event log is closed');
  }

  #snapshot(stream: string): StreamSnapshot {
    const row = this.#statements.selectSnapshot.get(stream);
    return row ? toSnapshot(row) : emptySnapshot(stream);
  }

  /** Runs inside the group's transaction, in this request's savepoint. */
  #appendNow(entries: readonly StreamEventInput[]): AppendOutcome {
    const { selectHead, findById, upsertStream, insertEvent, insertTag } = this.#statements;
    const plan = planAppend(
      entries,
      {
        getHead: (stream) => {
          const row = selectHead.get(stream);
          return row && toHead(row);
        },
        findById: (stream, id) => {
          const row = findById.get(stream, id);
          return row && { stream, ...row };
        },
      },
      new Date(),
      this.#limits,
    );
    for (const head of plan.heads) {
      const { stream, epoch, seq, stateJson, final, createdAt, updatedAt } = head;
      upsertStream.run(stream, epoch, seq, stateJson, final ? 1 : 0, createdAt, updatedAt);
    }
    for (const event of plan.events) {
      const { lastInsertRowid } = insertEvent.run(
        event.stream,
        event.seq,
        event.id,
        event.type,
        event.time,
        event.json,
      );
      for (const [key, value] of Object.entries(event.tags ?? {})) insertTag.run(lastInsertRowid, key, value);
    }
    return plan.outcome;
  }
}
