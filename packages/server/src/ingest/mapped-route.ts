import { ingestPath } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { sendIngestAnswer } from './ingest-answer.js';
import { planMappedDelivery } from './mapped-delivery.js';
import type { MappedSource } from './mapping-config.js';
import type { IngestPublisher } from './publish-planned-event.js';
import { parseJsonObject } from './raw-json-body.js';
import { verifyWebhook } from './webhook-signature.js';

/**
 * Registers `POST /v1/ingest/<name>` for each configured source: the secret is checked first
 * (401, nothing stored), then the mapping runs; a delivery its `when` rejects is answered 202.
 */
export function registerMappedRoutes(
  scope: FastifyInstance,
  publish: IngestPublisher,
  sources: readonly MappedSource[],
): void {
  for (const source of sources) {
    scope.post(ingestPath(source.name), async (request, reply) => {
      verifyWebhook(source.auth, request.headers, request.body);
      const planned = await planMappedDelivery(source, parseJsonObject(request.body), request.headers);
      if (!planned) return sendIngestAnswer(reply, { outcome: 'ignored', reason: 'not_matched' });
      return sendIngestAnswer(reply, await publish(planned));
    });
  }
}
