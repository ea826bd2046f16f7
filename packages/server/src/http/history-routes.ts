import {
  API_PATHS,
  assertFeedTypes,
  assertStreamName,
  DEFAULT_PAGE_LIMIT,
  HeraldError,
  MAX_PAGE_LIMIT,
  MAX_WAIT_SECONDS,
  QUERY_PARAMS,
} from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorizeFilter } from '../auth/authorize.js';
import type { HeraldConfig } from '../config/config.js';
import type { EventLog, HistoryQuery } from '../log/event-log.js';
import type { FeedTransport } from '../transports/feed-transport.js';
import { sendWithEtag } from './etag.js';
import {
  type QueryParams,
  readChoice,
  readInteger,
  readPrefix,
  readString,
  readTags,
  readTime,
} from './query-params.js';
import { createReadCaching } from './read-caching.js';
import { wantsEventStream } from './stream-routes.js';

/**
 * `type=a,b` as a list; every entry must be a valid event type (one that could match). A `type`
 * given with no type in it (`type=`, `type=,,`) is refused rather than read as no filter.
 */
function readTypes(query: QueryParams): string[] | undefined {
  if (query[QUERY_PARAMS.type] === undefined) return undefined;
  const types = (readString(query, QUERY_PARAMS.type) ?? '')
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type.length > 0);
  assertFeedTypes(types, QUERY_PARAMS.type);
  return types;
}

/** Reads `GET /v1/events` parameters into a history query. */
function parseHistoryQuery(query: QueryParams): HistoryQuery {
  const stream = readString(query, QUERY_PARAMS.stream);
  if (stream !== undefined) assertStreamName(stream);
  const prefix = readPrefix(query);
  const types = readTypes(query);
  const tags = readTags(query);
  const since = readTime(query, QUERY_PARAMS.since);
  const until = readTime(query, QUERY_PARAMS.until);
  const cursor = readString(query, QUERY_PARAMS.cursor);
  return {
    ...(stream === undefined ? {} : { stream }),
    ...(prefix === '' ? {} : { prefix }),
    ...(types === undefined ? {} : { types }),
    ...(tags === undefined ? {} : { tags }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    order: readChoice(query, QUERY_PARAMS.order, ['asc', 'desc'], 'asc'),
    limit: readInteger(query, QUERY_PARAMS.limit, DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT),
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** `wait=N` (seconds) when given: the request follows the feed as a long-poll. */
function readWait(query: QueryParams): number | undefined {
  if (query[QUERY_PARAMS.wait] === undefined) return undefined;
  return readInteger(query, QUERY_PARAMS.wait, 0, 0, MAX_WAIT_SECONDS);
}

/**
 * Registers `GET /v1/events`: the history query across streams, with keyset pagination, and, with
 * `feed`, its live forms (docs/protocol.md "Live feed"): SSE with `Accept: text/event-stream`,
 * long-poll with `wait=`. A live feed runs in commit order, so `order=desc` is refused with them.
 */
export function registerHistoryRoutes(
  app: FastifyInstance,
  ctx: { config: HeraldConfig; log: Pick<EventLog, 'queryEvents'> },
  feed?: FeedTransport,
): void {
  const caching = createReadCaching(ctx.config);
  app.get<{ Querystring: QueryParams }>(API_PATHS.events, async (request, reply) => {
    const query = parseHistoryQuery(request.query);
    authorizeFilter(request.principal, query);
    const isSse = feed !== undefined && wantsEventStream(request);
    const wait = feed === undefined ? undefined : readWait(request.query);
    const isLive = isSse || wait !== undefined;
    if (isLive && query.order === 'desc') {
      throw new HeraldError('invalid_request', 'a live feed runs oldest first: order=desc cannot be followed', {
        details: { path: QUERY_PARAMS.order },
      });
    }
    if (isSse) return feed.serveSse(request, reply, query);
    if (wait !== undefined) {
      await feed!.serveLongPoll(request, reply, query, wait);
      return reply;
    }
    const page = await ctx.log.queryEvents(query);
    return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
  });
}
