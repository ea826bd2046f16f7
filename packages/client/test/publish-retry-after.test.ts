import { HEADERS } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/index.js';
import type { FetchFunction } from '../src/types.js';
import { FakeHerald } from './support/fake-herald.js';
import { FakeWebSocket } from './support/fake-websocket.js';

const RETRY_AFTER_MS = 5000;

/** A server that refuses the first publish as over the rate and takes the next; records when each came. */
function setup(refusal: () => Response) {
  const server = new FakeHerald();
  const attemptsAtMs: number[] = [];
  const fetch: FetchFunction = async (input, init) => {
    if (init?.method !== 'POST') return server.fetch(input, init);
    attemptsAtMs.push(Date.now());
    if (attemptsAtMs.length === 1) return refusal();
    return Response.json({ seq: 1, events: [{ id: 'e1', seq: 1 }] }, { status: 201 });
  };
  const herald = createClient({ url: 'http://herald.test', fetch, WebSocket: FakeWebSocket });
  return { herald, attemptsAtMs };
}

/** Herald's own 429: `Retry-After` in seconds and `details.retryAfterMs`. */
function heraldRateLimited(): Response {
  const body = { error: { code: 'rate_limited', message: 'slow down', details: { retryAfterMs: RETRY_AFTER_MS } } };
  return Response.json(body, { status: 429, headers: { [HEADERS.retryAfter]: String(RETRY_AFTER_MS / 1000) } });
}

/** A proxy's 429 (say nginx limit_req): an HTML page, the wait only in `Retry-After`. */
function proxyRateLimited(): Response {
  return new Response('<html>429</html>', {
    status: 429,
    headers: { 'content-type': 'text/html', [HEADERS.retryAfter]: String(RETRY_AFTER_MS / 1000) },
  });
}

describe('publish after a rate_limited answer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    FakeWebSocket.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  for (const [answer, refusal] of [
    ["Herald's retryAfterMs", heraldRateLimited],
    ["a proxy's Retry-After header", proxyRateLimited],
  ] as const) {
    it(`waits at least ${answer} before the retry`, async () => {
      const { herald, attemptsAtMs } = setup(refusal);
      const result = herald.publish('run:a', { id: 'e1', type: 'step' });
      await vi.advanceTimersByTimeAsync(RETRY_AFTER_MS - 1);
      expect(attemptsAtMs).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toMatchObject({ seq: 1 });
      expect(attemptsAtMs).toEqual([0, RETRY_AFTER_MS]);
      herald.close();
    });

    it(`keeps an optimistic publish in the outbox for at least ${answer}`, async () => {
      const { herald, attemptsAtMs } = setup(refusal);
      const result = herald.publish('run:a', { id: 'e1', type: 'step' }, { optimistic: true });
      await vi.advanceTimersByTimeAsync(RETRY_AFTER_MS - 1);
      expect(attemptsAtMs).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toMatchObject({ seq: 1 });
      expect(attemptsAtMs).toEqual([0, RETRY_AFTER_MS]);
      herald.close();
    });
  }

  it('keeps the rate limit wait when the connection comes back meanwhile', async () => {
    const { herald, attemptsAtMs } = setup(heraldRateLimited);
    herald.subscribe('run:a');
    const result = herald.publish('run:a', { id: 'e1', type: 'step' }, { optimistic: true });
    await vi.advanceTimersByTimeAsync(1000);
    // The connection going live wakes the outbox, which would otherwise retry at once.
    FakeWebSocket.last.accept();
    await vi.advanceTimersByTimeAsync(RETRY_AFTER_MS - 1000 - 1);
    expect(attemptsAtMs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ seq: 1 });
    herald.close();
  });
});
