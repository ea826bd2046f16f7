import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertSqliteWritable, configureSqlite, migrateSqlite } from '../../src/log/sqlite-schema.js';

describe('assertSqliteWritable', () => {
  let dir: string;
  let filename: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-sqlite-'));
    filename = join(dir, 'herald.db');
    const db = new Database(filename);
    configureSqlite(db);
    migrateSqlite(db);
    db.close();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('passes on a writable database and leaves no trace of its probe', () => {
    const db = new Database(filename);
    assertSqliteWritable(db);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables.map((table) => table.name).sort()).toEqual([
      'deployment',
      'event_tags',
      'events',
      'schema_migrations',
      'sqlite_sequence',
      'streams',
    ]);
    expect(db.inTransaction).toBe(false);
    db.close();
  });

  // What SQLite does, silently, with a file the process may not write (chmod 0444 as a user other
  // than root): it opens the connection read-only. A readonly connection shows the same state to
  // the probe whoever runs the test (root writes a 0444 file; herald serve's test covers that case).
  it('throws SQLite’s read-only error on a connection SQLite can only read', () => {
    const db = new Database(filename, { readonly: true });
    expect(() => assertSqliteWritable(db)).toThrow(/readonly/);
    expect(db.inTransaction).toBe(false);
    db.close();
  });
});
