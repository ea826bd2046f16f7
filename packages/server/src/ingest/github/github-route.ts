import { HeraldError, ingestPath } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import { documentationOnlyValidator, ingestRouteSchema } from '../../http/schemas/ingest-route-schemas.js';
import { sendIngestAnswer } from '../ingest-answer.js';
import type { IngestPublisher } from '../publish-planned-event.js';
import { parseJsonObject } from '../raw-json-body.js';
import { type RequestHeaders, verifyWebhook, type WebhookAuth } from '../webhook-signature.js';
import { isMappedGithubEvent, planGithubDelivery } from './github-delivery.js';

/** The path GitHub's webhook points at. */
export const GITHUB_INGEST_PATH = ingestPath('github');

function requiredHeader(headers: RequestHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '') {
    throw new HeraldError('invalid_request', `missing ${name} header`, { details: { path: `headers.${name}` } });
  }
  return text;
}

/**
 * Registers `POST /v1/ingest/github` in a scope whose JSON bodies stay raw. Order of checks: the
 * signature first (401, nothing read or stored), then the headers and payload (400), then the
 * publish. `ping` is answered 200 and unmapped events 202; nothing is stored for either.
 */
export function registerGithubRoute(scope: FastifyInstance, publish: IngestPublisher, secret: string): void {
  const auth: WebhookAuth = { kind: 'hmac-sha256', header: 'x-hub-signature-256', prefix: 'sha256=', secret };
  const schema = ingestRouteSchema(
    'A GitHub Actions webhook delivery',
    {
      'x-hub-signature-256': {
        description: '`sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the webhook secret.',
      },
      'x-github-event': {
        description: '`workflow_run`, `workflow_job`, `check_run` or `ping`; others are answered 202.',
        examples: ['ping'],
      },
      'x-github-delivery': {
        description: 'The idempotency id: a redelivery appends nothing.',
        examples: ['72d3162e-cc78-11e3-81ab-4c9367dc0958'],
      },
    },
    [{ zen: 'Keep it logically awesome.', hook_id: 1 }],
  );
  scope.post(GITHUB_INGEST_PATH, { schema, validatorCompiler: documentationOnlyValidator }, async (request, reply) => {
    verifyWebhook(auth, request.headers, request.body);
    const event = requiredHeader(request.headers, 'x-github-event');
    if (event === 'ping') return sendIngestAnswer(reply, { outcome: 'ignored', reason: 'ping' });
    if (!isMappedGithubEvent(event)) {
      return sendIngestAnswer(reply, { outcome: 'ignored', reason: 'unsupported_event', event });
    }
    const deliveryId = requiredHeader(request.headers, 'x-github-delivery');
    const planned = planGithubDelivery(event, parseJsonObject(request.body), deliveryId);
    return sendIngestAnswer(reply, await publish(planned));
  });
}
