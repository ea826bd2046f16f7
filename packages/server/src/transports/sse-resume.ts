import { HEADERS, HeraldError } from '@herald/protocol';
import type { FastifyRequest } from 'fastify';
import type { StreamEventsQuery } from '../http/schemas/read-route-schemas.js';

function readLastEventId(request: FastifyRequest): string | undefined {
  const header = request.headers[HEADERS.lastEventId];
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Where a single-stream SSE subscriber resumes (DESIGN "Server-Sent Events"): the `Last-Event-ID`
 * EventSource sends on reconnect, else `?after=` and `?epoch=`, else 0 (full history, then live).
 * `?epoch=` goes with `?after=` only: EventSource reconnects to the same URL, so after a reset its
 * Last-Event-ID is a seq of the new epoch while the URL still names the old one, and honouring it
 * would reset (and replay) again on every reconnect.
 */
export function resolveSseResume(request: FastifyRequest<{ Querystring: StreamEventsQuery }>): {
  after: number;
  epoch?: string;
} {
  const lastEventId = readLastEventId(request);
  if (lastEventId === undefined) {
    const { after = 0, epoch } = request.query;
    return epoch === undefined ? { after } : { after, epoch };
  }
  const after = Number(lastEventId);
  if (!/^\d+$/.test(lastEventId) || !Number.isSafeInteger(after)) {
    throw new HeraldError('invalid_request', 'Last-Event-ID must be an event seq', {
      details: { path: HEADERS.lastEventId },
    });
  }
  return { after };
}

/** The multi-stream cursor a reconnecting client sends: `Last-Event-ID`, else `?cursor=`. */
export function readSseCursor(request: FastifyRequest<{ Querystring: { cursor?: string } }>): string | undefined {
  return readLastEventId(request) ?? request.query.cursor;
}
