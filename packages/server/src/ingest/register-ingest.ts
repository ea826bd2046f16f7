import type { FastifyInstance } from 'fastify';
import type { HeraldConfig } from '../config/config.js';
import { registerGithubRoute } from './github/github-route.js';
import { registerMappedRoutes } from './mapped-route.js';
import { loadIngestConfig } from './mapping-config.js';
import { createIngestPublisher, type IngestCollaborators } from './publish-planned-event.js';
import { keepRawJsonBodies } from './raw-json-body.js';

/**
 * Registers the webhook ingest routes, each only when configured (otherwise the path is an
 * ordinary `404 not_found`): `POST /v1/ingest/github` with `githubWebhookSecret`, and one route per
 * source of the `ingestConfig` file. They live in their own plugin scope, the only one whose JSON
 * bodies stay raw bytes for the signature check. Senders authenticate with their shared secret,
 * not with Herald's API key or JWT, and are not subject to the per-IP publish rate (GitHub does not
 * retry a delivery that failed).
 */
export async function registerIngest(
  app: FastifyInstance,
  ctx: IngestCollaborators & { config: HeraldConfig },
): Promise<void> {
  const { githubWebhookSecret, ingestConfig } = ctx.config;
  const sources = ingestConfig === undefined ? [] : await loadIngestConfig(ingestConfig);
  if (githubWebhookSecret === undefined && sources.length === 0) return;
  await app.register(async (scope) => {
    keepRawJsonBodies(scope, ctx.config.limits.maxBodyBytes);
    const publish = createIngestPublisher(ctx);
    if (githubWebhookSecret !== undefined) registerGithubRoute(scope, publish, githubWebhookSecret);
    registerMappedRoutes(scope, publish, sources);
  });
}
