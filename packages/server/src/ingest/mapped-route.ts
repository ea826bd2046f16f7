import { ingestPath } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { documentationOnlyValidator, ingestRouteSchema } from '../http/schemas/ingest-route-schemas.js';
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
    const schema = ingestRouteSchema(`A \`${source.name}\` webhook delivery (mapping file)`, {
      [source.auth.header.toLowerCase()]: {
        description: 'The shared secret, or its signature, as the mapping file says.',
      },
    });
    const options = { schema, validatorCompiler: documentationOnlyValidator };
    scope.post(ingestPath(source.name), options, async (request, reply) => {
      verifyWebhook(source.auth, request.headers, request.body);
      const planned = await planMappedDelivery(source, parseJsonObject(request.body), request.headers);
      if (!planned) return sendIngestAnswer(reply, { outcome: 'ignored', reason: 'not_matched' });
      return sendIngestAnswer(reply, await publish(planned));
    });
  }
}
