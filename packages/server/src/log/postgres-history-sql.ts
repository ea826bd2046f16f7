import type { ResolvedHistoryQuery } from './query-cursors.js';
import { prefixRange } from './query-cursors.js';

/**
 * The SQL of one history page on PostgreSQL: keyset pagination on `position` (global commit
 * order: appends draw positions under a lock held until COMMIT, see postgres-append.ts, so no
 * event can later appear behind a page already read), fetching one row beyond `limit` so the
 * caller knows whether a next page exists. A stream filter is answered by the (stream, position)
 * index, a type filter by (type, position), tag filters by containment (`tags @> {"k":"v"}`),
 * which the GIN index on tags answers; cut at the query's `maxBytes` (cutAtBytes). Columns:
 * position, json.
 */
export function buildPostgresHistorySql(query: ResolvedHistoryQuery): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const isAscending = query.order === 'asc';
  if (query.afterPosition !== undefined) {
    clauses.push(`position ${isAscending ? '>' : '<'} ${bind(query.afterPosition)}`);
  }
  if (query.stream !== undefined) clauses.push(`stream = ${bind(query.stream)}`);
  if (query.prefix !== undefined) {
    const [lowest, beyond] = prefixRange(query.prefix);
    clauses.push(`stream >= ${bind(lowest)} AND stream < ${bind(beyond)}`);
  }
  if (query.types !== undefined && query.types.length > 0) clauses.push(`type = ANY(${bind(query.types)}::text[])`);
  if (query.tags !== undefined && Object.keys(query.tags).length > 0) {
    clauses.push(`tags @> ${bind(JSON.stringify(query.tags))}::jsonb`);
  }
  if (query.since !== undefined) clauses.push(`time >= ${bind(query.since)}`);
  if (query.until !== undefined) clauses.push(`time < ${bind(query.until)}`);
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  const limit = bind(query.limit + 1);
  const order = `position ${isAscending ? 'ASC' : 'DESC'}`;
  const sql = `SELECT position, json FROM herald_events ${where} ORDER BY ${order} LIMIT ${limit}`;
  if (query.maxBytes === undefined) return { sql, params };
  return { sql: cutAtBytes(sql, 'position, json', order, bind(query.maxBytes)), params };
}

/**
 * `rowsSql` (rows with a `json` column, in `order`) cut as takePage cuts a page at `maxBytes`
 * (`maxBytesParam`), so that the page's events cross the network, not the `limit` of them: the
 * first two rows (takePage always takes one, and looks at the next), then those whose JSON before
 * them stays within it. Characters are counted, never more than JavaScript's UTF-16 units, so
 * PostgreSQL never cuts before takePage does, and takePage still sees the row that tells it more
 * follow.
 */
export function cutAtBytes(rowsSql: string, columns: string, order: string, maxBytesParam: string): string {
  return `SELECT ${columns} FROM (
      SELECT ${columns}, row_number() OVER (ORDER BY ${order}) AS n,
        sum(char_length(json)) OVER (ORDER BY ${order}) - char_length(json) AS before
      FROM (${rowsSql}) page_rows
    ) cut WHERE n <= 2 OR before <= ${maxBytesParam} ORDER BY ${order}`;
}
