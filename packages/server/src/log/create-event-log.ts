import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HeraldError } from '@herald/protocol';
import Database from 'better-sqlite3';
import { configError } from '../config/config-error.js';
import type { AppendLimits } from './apply-append.js';
import type { EventLog } from './event-log.js';
import { MemoryEventLog } from './memory-event-log.js';
import { createPostgresEventLog } from './postgres-event-log.js';
import { SqliteEventLog } from './sqlite-event-log.js';
import { SqliteOwnerLock } from './sqlite-owner-lock.js';

/** File name of the embedded log inside a data directory (`./data/herald.db`). */
const SQLITE_FILE_NAME = 'herald.db';

/**
 * `sqlite:PATH`: PATH ending in `.db` is the database file itself; any other PATH is a data
 * directory holding `herald.db` (so the default `sqlite:` + data dir works). Missing directories
 * are created; a path that is not a directory or a file this process cannot write fails
 * `invalid_config` naming it.
 */
async function openSqlite(path: string, limits: AppendLimits, storeOption: StoreOption): Promise<EventLog> {
  if (path === '') throw new HeraldError('invalid_config', 'sqlite: needs a path, e.g. sqlite:./data');
  const filename = path.endsWith('.db') ? path : join(path, SQLITE_FILE_NAME);
  const directory = dirname(filename);
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const isFileInTheWay = code === 'ENOTDIR' || code === 'EEXIST';
    configError(
      storeOption,
      isFileInTheWay
        ? `names the data directory ${directory}, which is not a directory (a file stands at it or at one of its parents)`
        : `names the data directory ${directory}, which cannot be created: ${(error as Error).message}`,
    );
  }
  const log = openSqliteFile(filename, limits, storeOption);
  // The writer thread's start is part of opening the store: the first publish should not pay for
  // it, and a writer that cannot open the database should fail startup, not the first publish.
  try {
    await log.whenStarted();
  } catch (error) {
    await log.close();
    throw error;
  }
  return log;
}

/** SQLite's answers for a database it cannot open for writing (extended codes included). */
const UNWRITABLE_CODES = /^SQLITE_(READONLY|CANTOPEN|PERM)(_|$)/;

/**
 * Opens the database file, refusing one this process cannot write (SqliteEventLog probes with a
 * write) as `invalid_config`: a server on a read-only store would report ready and fail every
 * publish. So is one another server has open (SqliteOwnerLock).
 */
function openSqliteFile(filename: string, limits: AppendLimits, storeOption: StoreOption): SqliteEventLog {
  let ownerLock: SqliteOwnerLock | undefined;
  try {
    ownerLock = SqliteOwnerLock.acquire(filename);
    if (ownerLock === undefined) {
      configError(
        storeOption,
        `names the SQLite database ${filename}, but another Herald server has it open: run one server per database, or several on PostgreSQL and Redis (docs/scale-out.md)`,
      );
    }
    const lock = ownerLock;
    return new SqliteEventLog(filename, limits, { onClose: () => lock.release() });
  } catch (error) {
    ownerLock?.release();
    // Only a file or directory the process may not write is a configuration mistake; a locked or
    // failing disk is not, and keeps its own error.
    const isUnwritable = error instanceof Database.SqliteError && UNWRITABLE_CODES.test(error.code);
    if (!isUnwritable) throw error;
    configError(
      storeOption,
      `names the SQLite database ${filename}, which this process cannot write: ${error.message} (check the permissions of the file and of its directory)`,
    );
  }
}

/**
 * The one table of store URL schemes. `postgres:` and `postgresql:` join it with
 * PostgresEventLog (log/postgres-event-log.ts), which receives the whole URL.
 */
const OPENERS: Record<string, (url: string, rest: string, options: EventLogOptions) => EventLog | Promise<EventLog>> = {
  memory: (_url, _rest, options) => new MemoryEventLog(appendLimits(options)),
  sqlite: (_url, path, options) => openSqlite(path, appendLimits(options), options.storeOption ?? 'store'),
  postgres: (url, _rest, options) => openPostgres(url, options),
  postgresql: (url, _rest, options) => openPostgres(url, options),
};

/** A store URL as logs and errors may show it: its password hidden. */
function redactStoreUrl(storeUrl: string): string {
  return storeUrl.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Opens the PostgreSQL log; a failure to reach or log in to the database says it was the store
 * (`connect ECONNREFUSED 127.0.0.1:5432` alone names neither the option nor the URL).
 */
async function openPostgres(url: string, options: EventLogOptions): Promise<EventLog> {
  try {
    return await createPostgresEventLog(url, options);
  } catch (error) {
    if (error instanceof HeraldError) throw error;
    const store = redactStoreUrl(url);
    throw new HeraldError('unavailable', `cannot open the store ${store}: ${(error as Error).message}`, {
      cause: error,
      details: { store },
    });
  }
}

/** The configuration option that named a store: the one its `invalid_config` errors name. */
type StoreOption = 'store' | 'data-dir';

/** Options of `createEventLog`; `maxStateBytes` caps each stream's state (default 1 MiB). */
export interface EventLogOptions extends AppendLimits {
  /** The option the store URL came from, named by its configuration errors (default `store`; see resolveStoreOption). */
  storeOption?: StoreOption;
  /** Background failures of a networked store (an idle PostgreSQL connection lost), for logging. */
  onError?: (error: Error) => void;
}

function appendLimits({ maxStateBytes }: EventLogOptions): AppendLimits {
  return maxStateBytes === undefined ? {} : { maxStateBytes };
}

/** Opens the EventLog a store URL names: `memory:`, `sqlite:PATH`; throws `invalid_config` otherwise. */
export async function createEventLog(storeUrl: string, options: EventLogOptions = {}): Promise<EventLog> {
  const colon = storeUrl.indexOf(':');
  const scheme = colon > 0 ? storeUrl.slice(0, colon) : '';
  const open = Object.hasOwn(OPENERS, scheme) ? OPENERS[scheme] : undefined;
  if (!open) {
    throw new HeraldError('invalid_config', `unsupported store URL; use one of ${Object.keys(OPENERS).join(':, ')}:`, {
      // A store URL may carry a password; details reach logs and clients.
      details: { store: redactStoreUrl(storeUrl) },
    });
  }
  return open(storeUrl, storeUrl.slice(colon + 1), options);
}
