import type { PublishResult } from '@herald/protocol';
import { Backoff } from './backoff.js';
import { type HttpApi, resolveRetryAfterMs } from './http-api.js';
import type { Outbox } from './outbox.js';
import type { StreamSubscription } from './subscription.js';
import type { PublishInput, PublishOptions } from './types.js';

/** Most attempts of one publish; retries are safe because every attempt carries the same `id`. */
export const PUBLISH_MAX_ATTEMPTS = 5;

/** A fresh idempotency id (a random UUID; `crypto.randomUUID` is missing outside secure browser contexts). */
export function createEventId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Publishes one event over HTTP (G5): retryable failures (network, 5xx, 429) are retried with
 * backoff, never sooner than a 429's `Retry-After`, under the same `id`, so a retry of a publish that did land returns the original seq.
 */
export async function publishWithRetry(
  http: HttpApi,
  stream: string,
  event: PublishInput & { id: string },
  random: () => number = Math.random,
): Promise<PublishResult> {
  const backoff = new Backoff(random);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await http.publish(stream, event);
    } catch (error) {
      const isLastAttempt = attempt >= PUBLISH_MAX_ATTEMPTS;
      if (isLastAttempt || !(error as { retryable?: boolean }).retryable) throw error;
      const delayMs = Math.max(backoff.next(), resolveRetryAfterMs(error));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/**
 * The client's `publish`: gives the event an id; with `optimistic` (seed 004) hands it to the
 * outbox, which shows it in every subscription of the stream at once and keeps it until the server
 * takes it (outbox.ts); otherwise sends it with a few retries and reports the answer.
 */
export function publishEvent(
  http: HttpApi,
  outbox: Outbox,
  subscriptionsOf: (stream: string) => StreamSubscription[],
  stream: string,
  event: PublishInput,
  options: PublishOptions,
): Promise<PublishResult> {
  const withId = { ...event, id: event.id ?? createEventId() };
  if (options.optimistic) return outbox.add(stream, withId, subscriptionsOf(stream));
  return publishWithRetry(http, stream, withId);
}
