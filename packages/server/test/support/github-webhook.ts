import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import type { WebhookEventMap, WebhookEventName } from '@octokit/webhooks-types';
import { type JsonResponse, requestJson } from './http-json.js';

// The package's main file is JSON; require() loads it on every Node version we support.
const definitions = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];

/** A fresh copy of example `index` of `event` from @octokit/webhooks-examples (real GitHub payloads). */
export function githubExample<E extends WebhookEventName>(event: E, index: number): WebhookEventMap[E] {
  const definition = definitions.find((candidate) => candidate.name === event);
  const example = definition?.examples[index];
  if (!example) throw new Error(`no example ${index} of ${event} in @octokit/webhooks-examples`);
  return structuredClone(example) as WebhookEventMap[E];
}

/** What `/v1/ingest/*` answers: an outcome, or Herald's error envelope. */
export interface IngestAnswer {
  outcome?: string;
  stream?: string;
  id?: string;
  seq?: number;
  reason?: string;
  event?: string;
  error?: { code: string; message: string; details?: unknown };
}

/** `X-Hub-Signature-256` of `body` as GitHub computes it. */
export function signGithubBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Options of `deliverGithub`. */
export interface GithubDelivery {
  secret: string;
  /** `X-GitHub-Delivery` (default: a fresh UUID, as GitHub sends). */
  deliveryId?: string;
  /** Overrides the computed signature; `null` sends none. */
  signature?: string | null;
}

/** POSTs `payload` to `/v1/ingest/github` as GitHub would: the exact bytes that were signed. */
export function deliverGithub(
  baseUrl: string,
  event: string,
  payload: unknown,
  delivery: GithubDelivery,
): Promise<JsonResponse<IngestAnswer>> {
  const body = JSON.stringify(payload);
  const signature = delivery.signature === undefined ? signGithubBody(delivery.secret, body) : delivery.signature;
  return requestJson<IngestAnswer>(`${baseUrl}/v1/ingest/github`, {
    body,
    headers: {
      'x-github-event': event,
      'x-github-delivery': delivery.deliveryId ?? randomUUID(),
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
  });
}
