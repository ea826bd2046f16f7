import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * One server per SQLite database: `<database>.lock`, a SQLite file of its own, held in an exclusive
 * transaction for as long as the server has the database open. A second server would write beside
 * the first without either hearing the other's publishes (live delivery goes through one
 * process's hub, without a broker), so it must fail at startup instead. SQLite's file locks do the
 * holding: the operating system drops them when the process ends, even by `kill -9`, so no stale
 * lock is ever left to clear; and they work across processes and within one.
 */
export class SqliteOwnerLock {
  readonly #db: Database.Database;

  private constructor(db: Database.Database) {
    this.#db = db;
  }

  /**
   * Takes the lock of `databaseFile`; undefined when another connection holds it. The lock sits
   * beside the file the path resolves to, so a symlink to the database (which SQLite follows too)
   * finds the same lock. A hard link is another name SQLite cannot see through either: it would
   * give the database a second WAL, which SQLite documents as a way to corrupt it.
   */
  static acquire(databaseFile: string): SqliteOwnerLock | undefined {
    // No busy timeout: a held lock is an answer, not a wait.
    const db = new Database(`${resolveDatabaseFile(databaseFile)}.lock`, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      return new SqliteOwnerLock(db);
    } catch (error) {
      db.close();
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) return undefined;
      throw error;
    }
  }

  release(): void {
    this.#db.close();
  }
}

/** The real path of the database file, or of its directory when the file does not exist yet. */
function resolveDatabaseFile(databaseFile: string): string {
  if (existsSync(databaseFile)) return realpathSync(databaseFile);
  return join(realpathSync(dirname(databaseFile)), basename(databaseFile));
}
