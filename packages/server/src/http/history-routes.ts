import {
  API_PATHS,
  assertStreamName,
  DEFAULT_PAGE_LIMIT,
  HeraldError,
  isValidEventType,
  MAX_PAGE_LIMIT,
  QUERY_PARAMS,
} from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { HeraldConfig } from '../config/config.js';
import type { EventLog, HistoryQuery } from '../log/event-log.js';
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

// A type filter naming more types than this is refused: it is a mistake, not a query.
const MAX_TYPES_PER_FILTER = 100;

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
  const isValid =
    types.length > 0 && types.length <= MAX_TYPES_PER_FILTER && types.every((type) => isValidEventType(type));
  if (!isValid) {
    throw new HeraldError(
      'invalid_request',
      `type must be 1 to ${MAX_TYPES_PER_FILTER} comma-separated event types (^[A-Za-z0-9_.:-]{1,100}$)`,
      { details: { path: QUERY_PARAMS.type } },
    );
  }
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

/** Registers `GET /v1/events`: the history query across streams, with keyset pagination. */
export function registerHistoryRoutes(
  app: FastifyInstance,
  ctx: { config: HeraldConfig; log: Pick<EventLog, 'queryEvents'> },
): void {
  const caching = createReadCaching(ctx.config);
  app.get<{ Querystring: QueryParams }>(API_PATHS.events, async (request, reply) => {
    const query = parseHistoryQuery(request.query);
    // The narrowest filter given decides what must be readable: one stream, a prefix, or all.
    authorize(request.principal, 'read', query.stream ?? `${query.prefix ?? ''}*`);
    const page = await ctx.log.queryEvents(query);
    return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
  });
}
