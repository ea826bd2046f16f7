import { HeraldError } from '@herald/protocol';
import pg from 'pg';
import { quoteIdentifier } from './postgres-schema.js';

/** Options of the PostgreSQL event log. */
export interface PostgresEventLogOptions {
  /** Schema holding Herald's tables (default: the URL's `?schema=`, else `public`). */
  schema?: string;
  /** Largest number of pooled connections (default 10). */
  maxConnections?: number;
  /** Receives errors of idle pooled connections (a restarted server); the pool replaces them. */
  onError?: (error: Error) => void;
}

const CONNECT_TIMEOUT_MS = 5_000;

// int8 (seq, position) as a JS number rather than pg's default string: seqs stay far below 2^53.
const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const defaultTypeParser = pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown;
const TYPES = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID) return Number;
    if (oid === INT8_ARRAY_OID) return (value: string) => (defaultTypeParser(oid)(value) as string[]).map(Number);
    return defaultTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

// Connection-level failures (SQLSTATE class 08 and server shutdown 57P0x, or the socket itself):
// the store is away, which a client may retry, unlike a fault in the request or in Herald.
const CONNECTION_FAILURE = /^(08|57P0)|^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)$/;
const CONNECTION_FAILURE_MESSAGES = ['Connection terminated', 'timeout exceeded when trying to connect'];

/** Turns a lost or refused database connection into `unavailable`; anything else is unchanged. */
export function toStoreError(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const isConnectionFailure =
    (typeof code === 'string' && CONNECTION_FAILURE.test(code)) ||
    (typeof message === 'string' && CONNECTION_FAILURE_MESSAGES.some((text) => message.includes(text)));
  return isConnectionFailure ? new HeraldError('unavailable', 'PostgreSQL cannot be reached', { cause: error }) : error;
}

// SQLSTATE class 22, data exception: a value of the request the database cannot take (a NUL in
// text, a time out of range). Validation refuses those before any query; should one slip
// through, the request still fails as the client's error, never as a 500.
const DATA_EXCEPTION = /^22/;

/** The error a failed query of one request answers: bad input → `invalid_request`, a lost connection → `unavailable`. */
export function toRequestError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DATA_EXCEPTION.test(code)) {
    return new HeraldError('invalid_request', 'the store cannot take a value of this request', { cause: error });
  }
  return toStoreError(error);
}

/** Splits `?schema=` off a `postgres://` URL; the rest is pg's connection string. */
function parseStoreUrl(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/**
 * A connection pool for `url` whose connections use Herald's schema (the URL's `?schema=`, unless
 * `options.schema` says otherwise; default `public`) and read int8 columns as numbers.
 */
export function createPostgresPool(
  url: string,
  options: PostgresEventLogOptions = {},
): { pool: pg.Pool; schema: string } {
  const { connectionString, schema: urlSchema } = parseStoreUrl(url);
  const schema = options.schema ?? urlSchema ?? 'public';
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    options: `-c search_path=${quoteIdentifier(schema)}`,
    types: TYPES,
  });
  // Without a listener, an idle connection dropped by a restarting server would crash the process.
  pool.on('error', (error) => options.onError?.(error));
  return { pool, schema };
}
