import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventLog } from '../../src/log/sqlite-event-log.js';
import { describeEventLogContract } from '../support/event-log-contract.js';

async function openTempLog() {
  const dir = await mkdtemp(join(tmpdir(), 'herald-sqlite-'));
  const filename = join(dir, 'herald.db');
  return {
    filename,
    log: new SqliteEventLog(filename),
    reopen: async () => new SqliteEventLog(filename),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

describeEventLogContract('SqliteEventLog', openTempLog);

describe('SqliteEventLog', () => {
  let store: Awaited<ReturnType<typeof openTempLog>>;
  beforeEach(async () => {
    store = await openTempLog();
  });
  afterEach(async () => {
    await store.log.close();
    await store.cleanup();
  });

  const inspect = <T>(query: (db: Database.Database) => T): T => {
    const db = new Database(store.filename, { readonly: true });
    try {
      return query(db);
    } finally {
      db.close();
    }
  };

  /** Opens a SqliteEventLog on `filename` and also returns its own connection, for reading its pragmas. */
  const openWithConnection = (filename: string) => {
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    try {
      const log = new SqliteEventLog(filename);
      const connection = prepare.mock.contexts[0] as Database.Database | undefined;
      if (connection?.name !== filename) throw new Error(`the log prepared no statement on ${filename}`);
      return { log, connection };
    } finally {
      prepare.mockRestore();
    }
  };

  it('stores journal_mode = WAL in its own database file', async () => {
    await store.log.append([{ stream: 'run:a', type: 'x' }]);
    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('runs its own connection with synchronous = FULL when reopening a WAL file, so each commit is fsynced (G4)', async () => {
    await store.log.close();
    // synchronous is per connection, so only the log's own connection can tell. A connection to an
    // existing WAL file starts at better-sqlite3's SQLITE_DEFAULT_WAL_SYNCHRONOUS = 1 (NORMAL); a
    // fresh file starts at FULL anyway, so only a reopen shows whether the log itself asks for FULL (2).
    expect(inspect((db) => db.pragma('synchronous', { simple: true }))).toBe(1);
    const reopened = openWithConnection(store.filename);
    store.log = reopened.log;
    expect(reopened.connection.pragma('synchronous', { simple: true })).toBe(2);
    expect(reopened.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(reopened.connection.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('records each applied migration once across reopens', async () => {
    await store.log.close();
    store.log = new SqliteEventLog(store.filename);
    const versions = inspect((db) => db.prepare('SELECT version FROM schema_migrations').all());
    expect(versions).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('commits the appends requested before close', async () => {
    const pending = store.log.append([{ stream: 'run:a', type: 'x' }]);
    await store.log.close();
    expect((await pending).results[0]?.seq).toBe(1);
    store.log = await store.reopen();
    expect((await store.log.getSnapshot('run:a')).seq).toBe(1);
  });

  it('keeps the event loop turning while an append waits for its commit (issue 15: the writer thread)', async () => {
    // Another connection holds the write lock, so the append's commit must wait for it. Committing on
    // the event loop would block the loop in SQLite's busy wait until the lock came free or timed
    // out; the writer thread waits instead, and the loop goes on serving other work meanwhile.
    const lockHolder = new Database(store.filename);
    lockHolder.exec('BEGIN IMMEDIATE');
    let isSettled = false;
    const appended = store.log.append([{ stream: 'run:a', type: 'x' }]).finally(() => {
      isSettled = true;
    });
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    const wasSettledWhileLocked = isSettled;
    lockHolder.exec('COMMIT');
    lockHolder.close();
    expect(wasSettledWhileLocked).toBe(false);
    expect((await appended).results[0]?.seq).toBe(1);
  });

  it('acknowledges an append only once another connection can read it (committed, G4)', async () => {
    const outcome = await store.log.append([{ stream: 'run:a', type: 'x', id: 'e1' }]);
    expect(outcome.results[0]).toMatchObject({ id: 'e1', seq: 1 });
    expect(inspect((db) => db.prepare('SELECT id, seq FROM events').all())).toEqual([{ id: 'e1', seq: 1 }]);
  });

  it('rejects every call after close with unavailable', async () => {
    await store.log.close();
    await expect(store.log.append([{ stream: 'run:a', type: 'x' }])).rejects.toMatchObject({ code: 'unavailable' });
    await expect(store.log.checkHealth()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('deletes the tags of the events retention deletes', async () => {
    await store.log.append(
      [1, 2, 3].map((i) => ({ stream: 'run:a', type: 'x', tags: { jobId: `${i}`, batchId: 'b' } })),
    );
    await store.log.sweepRetention({ maxEventsPerStream: 1 });
    expect(inspect((db) => db.prepare('SELECT value FROM event_tags ORDER BY value').pluck().all())).toEqual([
      '3',
      'b',
    ]);
  });
});
