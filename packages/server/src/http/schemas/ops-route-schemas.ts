import { Type } from 'typebox';
import { errorResponses } from './error-schemas.js';
import { PUBLIC } from './security.js';

const Up = Type.Union([Type.Literal('up'), Type.Literal('down')]);

/** `GET /healthz`. */
export const healthRouteSchema = {
  tags: ['ops'],
  summary: 'Liveness',
  security: PUBLIC,
  response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses() },
};

/** `GET /readyz`: `503 unavailable` (with `details: {store, broker}`) when the store is down. */
export const readyRouteSchema = {
  tags: ['ops'],
  summary: 'Readiness',
  description: 'Ready while the store is reachable; `degraded` when only the broker is down.',
  security: PUBLIC,
  response: {
    200: Type.Object({ status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]), store: Up, broker: Up }),
    ...errorResponses('unavailable'),
  },
};

/** `GET /metrics`: Prometheus text, sent as prom-client renders it. */
export const metricsRouteSchema = {
  tags: ['ops'],
  summary: 'Prometheus metrics',
  security: PUBLIC,
  response: {
    200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: Type.String() } } },
    ...errorResponses(),
  },
};

/** `GET /v1/openapi.json`: this document; public, it holds no secret. */
export const openApiRouteSchema = {
  tags: ['ops'],
  summary: 'This OpenAPI 3.1 document',
  security: PUBLIC,
  response: { 200: Type.Object({ openapi: Type.String() }, { additionalProperties: true }), ...errorResponses() },
};
