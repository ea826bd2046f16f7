import type { Pool } from 'pg';

/**
 * The PostgreSQL event log's schema, as numbered migrations. A database records the versions it
 * has applied in `herald_migrations`; opening it applies the missing ones in order. Several nodes
 * may start at once: they take one advisory lock, so exactly one applies each migration and the
 * others find it done. Never edit a released migration: add the next one.
 *
 * Stream names are `COLLATE "C"`: byte order is what the keyset cursors of `listStreams` compare
 * and what JavaScript sorts by, and it lets the btree indexes serve `LIKE 'prefix%'`.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      -- One row per existing stream: its head. Appends lock this row (SELECT … FOR UPDATE), which
      -- is what makes commit order equal seq order when several nodes append to one stream.
      CREATE TABLE herald_streams (
        name        text COLLATE "C" PRIMARY KEY,
        epoch       text NOT NULL,
        seq         bigint NOT NULL,        -- head seq: the last event appended, never reused
        state       jsonb NOT NULL,         -- the state document ('null' at first)
        final       boolean NOT NULL DEFAULT false,
        created_at  timestamptz NOT NULL,
        updated_at  timestamptz NOT NULL
      );

      -- Held events. json is the exact text every reader sends (serialise once); the other columns
      -- exist only to be filtered on. position is the global order of the history query.
      CREATE TABLE herald_events (
        position  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        stream    text COLLATE "C" NOT NULL,
        seq       bigint NOT NULL,
        id        text NOT NULL,
        type      text NOT NULL,
        time      timestamptz NOT NULL,
        tags      jsonb,
        json      text NOT NULL
      );
      -- Reads by position, firstSeq (min(seq) of a stream), stream and prefix history filters.
      CREATE UNIQUE INDEX herald_events_by_stream_seq ON herald_events (stream, seq);
      -- Idempotent publish: finding an id the stream already holds.
      CREATE UNIQUE INDEX herald_events_by_stream_id ON herald_events (stream, id);
      -- Retention by age, since/until filters.
      CREATE INDEX herald_events_by_time ON herald_events (time);
      -- History filtered by type, in position order.
      CREATE INDEX herald_events_by_type ON herald_events (type, position);
      -- History filtered by tags (tags @> '{"batchId":"b1"}').
      CREATE INDEX herald_events_by_tags ON herald_events USING gin (tags jsonb_path_ops);
    `,
  },
  {
    version: 2,
    sql: `
      -- History filtered by stream, in position order: an index scan that stops after limit + 1
      -- rows. With only (stream, seq), the planner either sorts all of the stream's events for
      -- every page or walks the primary key past every other stream's events. Appends take a
      -- positions lock so that position is also commit order (see postgres-append.ts): that needs
      -- no schema change. CREATE INDEX blocks appends while it builds, once, on first start.
      CREATE INDEX herald_events_by_stream_position ON herald_events (stream, position);
    `,
  },
  {
    version: 3,
    sql: `
      -- The deployment's id: every node on this schema reads the same one and namespaces its Redis
      -- channels and keys with it, so two deployments sharing a Redis never hear each other.
      CREATE TABLE herald_deployment (id text PRIMARY KEY);
      INSERT INTO herald_deployment (id) VALUES (md5(random()::text || clock_timestamp()::text));
    `,
  },
];

/** Double-quotes an SQL identifier (a schema name from the store URL). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Creates `schema` if needed and applies the migrations it lacks, in one transaction under a
 * transaction-scoped advisory lock keyed by the schema name (released by COMMIT or ROLLBACK, so a
 * node that dies mid-migration never leaves the lock behind).
 */
export async function migratePostgres(pool: Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('herald_migrations:' || $1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS herald_migrations (
        version     integer PRIMARY KEY,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM herald_migrations');
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO herald_migrations (version) VALUES ($1)', [migration.version]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
