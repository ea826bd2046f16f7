import { HeraldError } from '@herald/protocol';
import type { FastifyRequest } from 'fastify';
import { type QueryParams, readInteger } from '../http/query-params.js';

function readLastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers['last-event-id'];
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Where a single-stream SSE subscriber resumes (DESIGN "Server-Sent Events"): the `Last-Event-ID`
 * EventSource sends on reconnect, else `?after=`, else 0 (full history, then live).
 */
export function resolveSseAfter(request: FastifyRequest<{ Querystring: QueryParams }>): number {
  const lastEventId = readLastEventId(request);
  if (lastEventId === undefined) return readInteger(request.query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
  const after = Number(lastEventId);
  if (!/^\d+$/.test(lastEventId) || !Number.isSafeInteger(after)) {
    throw new HeraldError('invalid_request', 'Last-Event-ID must be an event seq', {
      details: { path: 'Last-Event-ID' },
    });
  }
  return after;
}

/** The multi-stream cursor a reconnecting client sends: `Last-Event-ID`, else `?cursor=`. */
export function readSseCursor(request: FastifyRequest<{ Querystring: QueryParams }>): string | undefined {
  const cursor = readLastEventId(request) ?? request.query.cursor;
  if (Array.isArray(cursor))
    throw new HeraldError('invalid_request', 'cursor may be given once', { details: { path: 'cursor' } });
  return cursor === '' ? undefined : cursor;
}
