import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EventLog, MemoryEventLog, SqliteEventLog } from '@herald/server';
import { PostgresEventLog } from '../../src/log/postgres-event-log.js';
import { dropTestSchema, schemaStoreUrl, uniqueSchemaName } from './postgres-test-schema.js';

/** A store URL for one test server, and how to delete what it left behind. */
export interface OpenedTestStore {
  /** The `store` config value, e.g. `memory:` or `sqlite:/tmp/herald-store-x`. */
  store: string;
  /** Deletes the store's files (call after the server has closed). */
  cleanup(): Promise<void>;
}

/** A store the HTTP suites run over: `describe.each(TEST_STORES)`. */
export interface TestStore {
  name: 'memory' | 'sqlite' | 'postgres';
  /** The EventLog class a server opened on this store uses (to check the store URL took effect). */
  logClass: abstract new (
    ...args: never[]
  ) => EventLog;
  open(): Promise<OpenedTestStore>;
}

const MEMORY_STORE: TestStore = {
  name: 'memory',
  logClass: MemoryEventLog,
  open: async () => ({ store: 'memory:', cleanup: async () => {} }),
};

const SQLITE_STORE: TestStore = {
  name: 'sqlite',
  logClass: SqliteEventLog,
  async open() {
    const dir = await mkdtemp(path.join(tmpdir(), 'herald-store-'));
    return { store: `sqlite:${dir}`, cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
};

/** PostgreSQL in a fresh schema of the test database (fails, never skips, when PostgreSQL is down). */
const POSTGRES_STORE: TestStore = {
  name: 'postgres',
  logClass: PostgresEventLog,
  async open() {
    const schema = uniqueSchemaName();
    return { store: schemaStoreUrl(schema), cleanup: () => dropTestSchema(schema) };
  },
};

/** The embedded stores: in-memory, and SQLite (WAL, group commit) in a fresh temporary directory. */
export const TEST_STORES: readonly TestStore[] = [MEMORY_STORE, SQLITE_STORE];

/** The durable stores every adversarial case runs on: SQLite and PostgreSQL. */
export const DURABLE_TEST_STORES: readonly TestStore[] = [SQLITE_STORE, POSTGRES_STORE];
