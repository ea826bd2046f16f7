import swagger from '@fastify/swagger';
import { API_PATHS, HEADERS, QUERY_PARAMS } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { openApiRouteSchema } from './schemas/ops-route-schemas.js';
import { SECURITY_SCHEMES } from './schemas/security.js';

/** The document's `info.version`: the HTTP API's major version, which its paths carry (`/v1/`). */
const API_VERSION = '1.0.0';

/**
 * Collects every route's schema into an OpenAPI 3.1 document (@fastify/swagger, which must be
 * registered before the routes it describes). The document holds schemas and descriptions only,
 * never configuration: it is public.
 */
export async function registerOpenApiDocument(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald HTTP API',
        version: API_VERSION,
        description:
          'Real-time updates for workflow and job runs. Errors are `{"error": {code, message, details?}}` with ' +
          'the codes of docs/errors.md; WebSocket (`GET /v1/ws`) and the SSE frames are in docs/protocol.md.',
      },
      tags: [
        { name: 'publish', description: 'Append events' },
        { name: 'streams', description: 'Snapshots and events of streams, polled or live' },
        { name: 'history', description: 'Queries across streams' },
        { name: 'admin', description: 'Deletion; needs admin access' },
        { name: 'ingest', description: 'Webhooks in (configured sources only)' },
        { name: 'ops', description: 'Probes, metrics and this document' },
      ],
      components: {
        securitySchemes: {
          [SECURITY_SCHEMES.bearer]: {
            type: 'http',
            scheme: 'bearer',
            description:
              'The API key (`HERALD_API_KEY`) or a JWT whose claims name the streams it may read or publish.',
          },
          [SECURITY_SCHEMES.queryToken]: {
            type: 'apiKey',
            in: 'query',
            name: QUERY_PARAMS.token,
            description: 'The same token as a query parameter, for EventSource and browsers, which cannot set headers.',
          },
        },
      },
    },
  });
}

/** Registers `GET /v1/openapi.json`, serialised once on first request (the routes are fixed by then). */
export function registerOpenApiRoute(app: FastifyInstance): void {
  let document: string | undefined;
  app.get(API_PATHS.openApi, { schema: openApiRouteSchema }, async (_request, reply) => {
    document ??= JSON.stringify(app.swagger());
    return reply.header(HEADERS.cacheControl, 'no-cache').type('application/json').send(document);
  });
}
