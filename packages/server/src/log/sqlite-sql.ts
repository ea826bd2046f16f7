import type { StreamSnapshot } from '@herald/protocol';
import type Database from 'better-sqlite3';
import type { StreamHead } from './apply-append.js';
import type { EventRecord } from './event-log.js';
import { prefixRange, type ResolvedHistoryQuery } from './query-cursors.js';

/** The SQL of SqliteEventLog (schema in sqlite-schema.ts) and the mapping of its rows. */

/** A row of `streams`. */
interface StreamRow {
  name: string;
  epoch: string;
  seq: number;
  state: string;
  final: number;
  created_at: string;
  updated_at: string;
}

/** A stream row with its computed firstSeq. */
export interface SnapshotRow extends StreamRow {
  first_seq: number;
}

/** A stream row's firstSeq: the oldest held seq, or seq + 1 when none is held. */
const FIRST_SEQ_COLUMN =
  'COALESCE((SELECT MIN(e.seq) FROM events e WHERE e.stream = streams.name), seq + 1) AS first_seq';

/** Selects SnapshotRows. */
const SNAPSHOT_SELECT = `SELECT name, epoch, seq, state, final, created_at, updated_at, ${FIRST_SEQ_COLUMN} FROM streams`;

/** The head an append plans against. */
export function toHead(row: StreamRow): StreamHead {
  return {
    stream: row.name,
    epoch: row.epoch,
    seq: row.seq,
    state: JSON.parse(row.state),
    final: row.final === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The public snapshot of a stream row. */
export function toSnapshot(row: SnapshotRow): StreamSnapshot {
  const { stream, epoch, seq, state, final, createdAt, updatedAt } = toHead(row);
  return { stream, epoch, seq, firstSeq: row.first_seq, state, final, createdAt, updatedAt };
}

/** The fixed statements of SqliteEventLog, prepared once per connection. */
export interface SqliteStatements {
  selectHead: Database.Statement<[string], StreamRow>;
  selectSnapshot: Database.Statement<[string], SnapshotRow>;
  selectPosition: Database.Statement<[string], Pick<SnapshotRow, 'epoch' | 'seq' | 'first_seq'>>;
  findById: Database.Statement<[string, string], { seq: number; json: string }>;
  upsertStream: Database.Statement<[string, string, number, string, number, string, string], unknown>;
  insertEvent: Database.Statement<[string, number, string, string, string, string], unknown>;
  insertTag: Database.Statement<[number | bigint, string, string], unknown>;
  selectEventsAfter: Database.Statement<[string, number, number], EventRecord>;
  selectJsonByInsertionId: Database.Statement<[number], { json: string }>;
  deleteStreamEvents: Database.Statement<[string], unknown>;
  deleteStream: Database.Statement<[string], unknown>;
  deleteOlderChunk: Database.Statement<[string, number], unknown>;
  selectStreamsOverCount: Database.Statement<[number, number], { name: string; lastDroppedSeq: number }>;
  deleteUpToSeq: Database.Statement<[string, number], unknown>;
  /** The highest insertion_id ever given (AUTOINCREMENT keeps it, deleted or not); no row before the first. */
  selectLastInsertionId: Database.Statement<[], { seq: number }>;
}

/** Prepares the fixed statements of SqliteEventLog once per connection. */
export function prepareSqliteStatements(db: Database.Database): SqliteStatements {
  return {
    selectHead: db.prepare<[string], StreamRow>(
      'SELECT name, epoch, seq, state, final, created_at, updated_at FROM streams WHERE name = ?',
    ),
    selectSnapshot: db.prepare<[string], SnapshotRow>(`${SNAPSHOT_SELECT} WHERE name = ?`),
    // The position alone: the state column is neither read nor parsed (ETag revalidation).
    selectPosition: db.prepare<[string], Pick<SnapshotRow, 'epoch' | 'seq' | 'first_seq'>>(
      `SELECT epoch, seq, ${FIRST_SEQ_COLUMN} FROM streams WHERE name = ?`,
    ),
    findById: db.prepare<[string, string], { seq: number; json: string }>(
      'SELECT seq, json FROM events WHERE stream = ? AND id = ?',
    ),
    upsertStream: db.prepare<[string, string, number, string, number, string, string]>(`
      INSERT INTO streams (name, epoch, seq, state, final, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET
        seq = excluded.seq, state = excluded.state, final = excluded.final, updated_at = excluded.updated_at`),
    insertEvent: db.prepare<[string, number, string, string, string, string]>(
      'INSERT INTO events (stream, seq, id, type, time, json) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    insertTag: db.prepare<[number | bigint, string, string]>(
      'INSERT INTO event_tags (insertion_id, key, value) VALUES (?, ?, ?)',
    ),
    selectEventsAfter: db.prepare<[string, number, number], EventRecord>(
      'SELECT stream, seq, json FROM events WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?',
    ),
    selectJsonByInsertionId: db.prepare<[number], { json: string }>('SELECT json FROM events WHERE insertion_id = ?'),
    deleteStreamEvents: db.prepare<[string]>('DELETE FROM events WHERE stream = ?'),
    deleteStream: db.prepare<[string]>('DELETE FROM streams WHERE name = ?'),
    deleteOlderChunk: db.prepare<[string, number]>(
      'DELETE FROM events WHERE insertion_id IN (SELECT insertion_id FROM events WHERE time < ? LIMIT ?)',
    ),
    selectStreamsOverCount: db.prepare<[number, number], { name: string; lastDroppedSeq: number }>(
      'SELECT name, seq - ? AS lastDroppedSeq FROM streams WHERE seq > ?',
    ),
    deleteUpToSeq: db.prepare<[string, number]>('DELETE FROM events WHERE stream = ? AND seq <= ?'),
    selectLastInsertionId: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"),
  };
}

/** The prepared statements of SqliteEventLog. */

/** The SQL of one stream list page, in name order; one bound parameter is left at the end for the limit. */
export function buildStreamListSql(prefix: string | undefined, afterName: string | undefined) {
  const clauses: string[] = [];
  const params: string[] = [];
  if (prefix !== undefined) {
    clauses.push('name >= ? AND name < ?');
    params.push(...prefixRange(prefix));
  }
  if (afterName !== undefined) {
    clauses.push('name > ?');
    params.push(afterName);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  return { sql: `${SNAPSHOT_SELECT} ${where} ORDER BY name LIMIT ?`, params };
}

/**
 * The SQL of one history page: keyset pagination on `insertion_id` (global insertion order), with
 * one bound parameter left at the end for the row limit. Its one column is insertion_id: a page
 * sorted with its events' JSON (a prefix filter reads the stream index, then sorts) would read
 * all of it, where the JSON of each event is read once the page takes it (takePage).
 */
export function buildHistorySql(query: ResolvedHistoryQuery): { sql: string; params: (string | number)[] } {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  const isAscending = query.order === 'asc';
  if (query.afterPosition !== undefined) {
    clauses.push(isAscending ? 'e.insertion_id > ?' : 'e.insertion_id < ?');
    params.push(query.afterPosition);
  }
  if (query.stream !== undefined) {
    clauses.push('e.stream = ?');
    params.push(query.stream);
  }
  if (query.prefix !== undefined) {
    clauses.push('e.stream >= ? AND e.stream < ?');
    params.push(...prefixRange(query.prefix));
  }
  if (query.types !== undefined && query.types.length > 0) {
    clauses.push(`e.type IN (${query.types.map(() => '?').join(', ')})`);
    params.push(...query.types);
  }
  for (const [key, value] of Object.entries(query.tags ?? {})) {
    clauses.push('e.insertion_id IN (SELECT t.insertion_id FROM event_tags t WHERE t.key = ? AND t.value = ?)');
    params.push(key, value);
  }
  if (query.since !== undefined) {
    clauses.push('e.time >= ?');
    params.push(query.since);
  }
  if (query.until !== undefined) {
    clauses.push('e.time < ?');
    params.push(query.until);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const sql = `SELECT e.insertion_id FROM events e ${where}
    ORDER BY e.insertion_id ${isAscending ? 'ASC' : 'DESC'} LIMIT ?`;
  return { sql, params };
}
