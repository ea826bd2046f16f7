import type { StreamEventInput } from '@herald/protocol';
import type Database from 'better-sqlite3';
import { type AppendLimits, planAppend } from './apply-append.js';
import type { AppendOutcome } from './event-log.js';
import { prepareSqliteStatements, toHead } from './sqlite-sql.js';

/** Commits a group of append requests in one transaction; one settled outcome per request, in order. */
export type SqliteGroupCommit = (
  groups: readonly (readonly StreamEventInput[])[],
) => PromiseSettledResult<AppendOutcome>[];

function settle<T>(run: () => T): PromiseSettledResult<T> {
  try {
    return { status: 'fulfilled', value: run() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/**
 * Prepares the append transaction of SQLite on `db`: the requests of one group run in ONE
 * transaction (one fsync), each inside its own SAVEPOINT, so a request that fails (`seq_conflict`,
 * `stream_final`, a value SQLite cannot bind) rolls back alone while the others commit.
 * Throws (nothing committed) only when the transaction itself fails.
 */
export function prepareSqliteGroupCommit(db: Database.Database, limits: AppendLimits): SqliteGroupCommit {
  const { selectHead, findById, upsertStream, insertEvent, insertTag } = prepareSqliteStatements(db);

  const appendNow = (entries: readonly StreamEventInput[]): AppendOutcome => {
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
      limits,
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
  };

  // Nested better-sqlite3 transactions are SAVEPOINTs: one request's failure rolls back only it.
  const appendInSavepoint = db.transaction(appendNow);
  const commitGroup = db.transaction((groups: readonly (readonly StreamEventInput[])[]) =>
    groups.map((entries) => settle(() => appendInSavepoint(entries))),
  );
  // IMMEDIATE takes the write lock up front, so a group never fails half-way on a busy upgrade.
  return (groups) => commitGroup.immediate(groups);
}
