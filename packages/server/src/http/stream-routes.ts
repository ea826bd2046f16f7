import { API_PATHS, DEFAULT_PAGE_LIMIT, ROUTE_PATTERNS } from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { EventLog } from '../log/event-log.js';
import { hasIfNoneMatch, isNotModified, sendNotModified, sendWithEtag, snapshotEtag } from './etag.js';
import type { ReadCaching } from './read-caching.js';
import {
  type SnapshotQuery,
  type StreamListQuery,
  snapshotRouteSchema,
  streamListRouteSchema,
} from './schemas/read-route-schemas.js';

/** Serves a live stream request itself (SSE); registered by the transports when they exist. */
export type LiveHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;

/** The weight (`q`) an Accept header gives each media range it names, lowercased. */
function acceptWeights(accept: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const range of accept.split(',')) {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const weight = parameters.find((parameter) => parameter.startsWith('q='));
    const q = weight === undefined ? 1 : Number(weight.slice(2));
    weights.set(type, Math.max(weights.get(type) ?? 0, Number.isNaN(q) ? 0 : q));
  }
  return weights;
}

/**
 * Whether the client asks for Server-Sent Events: its Accept header names `text/event-stream` with
 * a weight above zero (`;q=0` says "not this", RFC 9110 §12.4.2) and at least that of JSON
 * (`application/json`, or a wildcard that covers it). A client that accepts any type (curl's
 * default wildcard) and names no event stream is answered JSON.
 */
export function wantsEventStream(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (accept === undefined || !accept.toLowerCase().includes('text/event-stream')) return false;
  const weights = acceptWeights(accept);
  const eventStream = weights.get('text/event-stream') ?? 0;
  const json = Math.max(
    weights.get('application/json') ?? 0,
    weights.get('application/*') ?? 0,
    weights.get('*/*') ?? 0,
  );
  return eventStream > 0 && eventStream >= json;
}

/** Counts the reader of a stream's snapshot as a poller in presence (PollPresence). */
export type SnapshotPollCounter = (request: FastifyRequest<{ Querystring: SnapshotQuery }>, stream: string) => void;

/** What the stream routes work with. */
export interface StreamRoutesDeps {
  log: EventLog;
  caching: ReadCaching;
  /** `GET /v1/streams?watch=1` as SSE, when the transports are registered. */
  watchStreamList?: LiveHandler;
  /** Presence of snapshot pollers, when the transports are registered. */
  countSnapshotPoll?: SnapshotPollCounter;
}

/**
 * Registers the stream snapshot and stream list routes. The events route
 * (`/v1/streams/{stream}/events`: SSE, ETag polling, long-poll) belongs to the transports.
 */
export function registerStreamRoutes(app: FastifyInstance, deps: StreamRoutesDeps): void {
  const { log, caching, watchStreamList, countSnapshotPoll } = deps;

  app.get<{ Params: { stream: string }; Querystring: SnapshotQuery }>(
    ROUTE_PATTERNS.stream,
    { schema: snapshotRouteSchema },
    async (request, reply) => {
      const { stream } = request.params;
      authorize(request.principal, 'read', stream);
      // The SDK's poll transport watches a stream through its snapshot and says so (`watch=1`): a
      // watcher, as an events poll is. A one-off read of the state (a watcher's own, `herald watch`
      // diffing its source) is not: it would keep the stream watched by the one reading it.
      if (request.query.watch === '1') countSnapshotPoll?.(request, stream);
      // Revalidation first: a poller whose copy is current costs a position read, not the state.
      if (hasIfNoneMatch(request)) {
        const etag = snapshotEtag(await log.getPosition(stream));
        if (isNotModified(request, etag)) return sendNotModified(reply, etag, caching.revalidate);
      }
      const snapshot = await log.getSnapshot(stream);
      return sendWithEtag(request, reply, JSON.stringify(snapshot), caching.revalidate, snapshotEtag(snapshot));
    },
  );

  app.get<{ Querystring: StreamListQuery }>(
    API_PATHS.streams,
    { schema: streamListRouteSchema },
    async (request, reply) => {
      const { prefix = '', cursor, limit = DEFAULT_PAGE_LIMIT, watch } = request.query;
      authorize(request.principal, 'read', `${prefix}*`);
      if (watchStreamList && wantsEventStream(request) && watch === '1') {
        return watchStreamList(request, reply);
      }
      const page = await log.listStreams({
        ...(prefix === '' ? {} : { prefix }),
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
    },
  );
}
