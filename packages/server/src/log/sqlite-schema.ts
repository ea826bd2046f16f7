import type Database from 'better-sqlite3';

/**
 * The SQLite event log's schema, as numbered migrations. A database records the versions it has
 * applied in `schema_migrations`; opening it applies the missing ones in order, each in its own
 * transaction. Never edit a released migration: add the next one.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      -- One row per existing stream: its head. Deleting a stream deletes the row, so a later
      -- append creates it again with a new epoch and seq restarting at 1.
      CREATE TABLE streams (
        name        TEXT PRIMARY KEY,
        epoch       TEXT NOT NULL,
        seq         INTEGER NOT NULL,             -- head seq: the last event appended, never reused
        state       TEXT NOT NULL,                -- JSON text of the state document ('null' at first)
        final       INTEGER NOT NULL DEFAULT 0,   -- 1 once an event with final: true is appended
        created_at  TEXT NOT NULL,                -- ISO 8601 UTC with ms, like every time here
        updated_at  TEXT NOT NULL
      );

      -- Held events. json is the exact text every reader sends (serialise once); the other columns
      -- exist only to be filtered on. insertion_id is the global order of the history query;
      -- AUTOINCREMENT so a deleted id is never handed out again and a history cursor stays valid.
      CREATE TABLE events (
        insertion_id  INTEGER PRIMARY KEY AUTOINCREMENT,
        stream        TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        id            TEXT NOT NULL,
        type          TEXT NOT NULL,
        time          TEXT NOT NULL,
        json          TEXT NOT NULL
      );
      -- Reads by position, and firstSeq (MIN(seq) of a stream).
      CREATE UNIQUE INDEX events_by_stream_seq ON events (stream, seq);
      -- Idempotent publish: finding an id the stream already holds.
      CREATE UNIQUE INDEX events_by_stream_id ON events (stream, id);
      -- Retention by age, since/until filters.
      CREATE INDEX events_by_time ON events (time);

      -- One row per tag of an event, for history filters by tag (key, value).
      CREATE TABLE event_tags (
        insertion_id  INTEGER NOT NULL REFERENCES events (insertion_id) ON DELETE CASCADE,
        key           TEXT NOT NULL,
        value         TEXT NOT NULL,
        PRIMARY KEY (insertion_id, key)
      ) WITHOUT ROWID;
      CREATE INDEX event_tags_by_key_value ON event_tags (key, value, insertion_id);
    `,
  },
  {
    version: 2,
    sql: `
      -- The deployment's id, which namespaces its Redis channels and keys (see EventLog.deploymentId).
      CREATE TABLE deployment (id TEXT PRIMARY KEY);
      INSERT INTO deployment (id) VALUES (lower(hex(randomblob(16))));
    `,
  },
];

/**
 * Sets the connection's pragmas. Fsync policy: WAL with `synchronous = FULL` syncs the WAL on
 * every commit, so an append whose promise resolved survives a crash or power loss (G4). NORMAL
 * would be faster but may lose the last commits on power loss, which would break acknowledged
 * publishes; group commit (see SqliteEventLog) recovers the throughput instead.
 */
export function configureSqlite(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // event_tags rows go with their event (retention, deletes) through ON DELETE CASCADE.
  db.pragma('foreign_keys = ON');
}

/**
 * Throws SQLite's own error (`attempt to write a readonly database`) unless `db` can be written.
 * SQLite opens a file the process may not write read-only without a word, and file modes do not
 * tell either (root writes a 0444 file), so a write transaction is begun and rolled back: only
 * SQLite's answer to a real write says whether appends will succeed.
 */
export function assertSqliteWritable(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE herald_write_probe (id INTEGER)');
  } finally {
    db.exec('ROLLBACK');
  }
}

/** Applies the migrations `db` has not applied yet; a failing migration is rolled back and throws. */
export function migrateSqlite(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version     INTEGER PRIMARY KEY,
      applied_at  TEXT NOT NULL
    )
  `);
  const applied = new Set(
    db
      .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
      .all()
      .map((row) => row.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }).immediate();
  }
}
