import { API_PATHS, DEFAULT_PAGE_LIMIT, HeraldError, isValidEventType, QUERY_PARAMS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../auth/authorize.js';
import type { HeraldConfig } from '../config/config.js';
import type { EventLog, HistoryQuery } from '../log/event-log.js';
import { sendWithEtag } from './etag.js';
import { type QueryParams, readString, readTags, readTime } from './query-params.js';
import { createReadCaching } from './read-caching.js';
import { type HistoryQueryParams, historyRouteSchema } from './schemas/read-route-schemas.js';

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

/** Reads `GET /v1/events` parameters (their shape judged by historyRouteSchema) into a history query. */
function parseHistoryQuery(query: HistoryQueryParams): HistoryQuery {
  const { stream, prefix = '', cursor, order = 'asc', limit = DEFAULT_PAGE_LIMIT } = query;
  const types = readTypes(query);
  const tags = readTags(query);
  const since = readTime(query, QUERY_PARAMS.since);
  const until = readTime(query, QUERY_PARAMS.until);
  return {
    ...(stream === undefined ? {} : { stream }),
    ...(prefix === '' ? {} : { prefix }),
    ...(types === undefined ? {} : { types }),
    ...(tags === undefined ? {} : { tags }),
    ...(since === undefined ? {} : { since }),
    ...(until === undefined ? {} : { until }),
    order,
    limit,
    ...(cursor === undefined ? {} : { cursor }),
  };
}

/** Registers `GET /v1/events`: the history query across streams, with keyset pagination. */
export function registerHistoryRoutes(
  app: FastifyInstance,
  ctx: { config: HeraldConfig; log: Pick<EventLog, 'queryEvents'> },
): void {
  const caching = createReadCaching(ctx.config);
  app.get<{ Querystring: HistoryQueryParams }>(
    API_PATHS.events,
    { schema: historyRouteSchema },
    async (request, reply) => {
      const query = parseHistoryQuery(request.query);
      // The narrowest filter given decides what must be readable: one stream, a prefix, or all.
      authorize(request.principal, 'read', query.stream ?? `${query.prefix ?? ''}*`);
      const page = await ctx.log.queryEvents(query);
      return sendWithEtag(request, reply, JSON.stringify(page), caching.revalidate);
    },
  );
}
