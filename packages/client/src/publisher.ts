import type { PublishResult } from '@herald/protocol';
import { Backoff } from './backoff.js';
import type { HttpApi } from './http-api.js';
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
 * backoff under the same `id`, so a retry of a publish that did land returns the original seq.
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
      await new Promise((resolve) => setTimeout(resolve, backoff.next()));
    }
  }
}

/**
 * The client's `publish`: gives the event an id, and with `optimistic` (seed 004) shows it in every
 * subscription of the stream at once, then lets the echo settle it or rolls it back on failure.
 */
export async function publishEvent(
  http: HttpApi,
  subscriptionsOf: (stream: string) => StreamSubscription[],
  stream: string,
  event: PublishInput,
  options: PublishOptions,
): Promise<PublishResult> {
  const withId = { ...event, id: event.id ?? createEventId() };
  const optimistic = options.optimistic ? subscriptionsOf(stream) : [];
  for (const subscription of optimistic) {
    subscription.addPending({ id: withId.id, type: withId.type, data: withId.data, state: withId.state });
  }
  try {
    const result = await publishWithRetry(http, stream, withId);
    const seq = result.events.find((published) => published.id === withId.id)?.seq ?? result.seq;
    for (const subscription of optimistic) subscription.acknowledgePending(withId.id, seq);
    return result;
  } catch (error) {
    for (const subscription of optimistic) subscription.rollbackPending(withId.id);
    throw error;
  }
}
