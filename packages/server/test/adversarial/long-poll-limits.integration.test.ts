import { afterEach, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';

const POLL_TIMEOUT_MS = 10_000;

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = POLL_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(DURABLE_TEST_STORES)('long-poll limits on $name (issue 12 items 7, 8)', (store) => {
  let server: StoreTestServer | undefined;
  const controller = new AbortController();
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const waiting = async () => (await server!.herald.context.metrics.longPollsWaiting.get()).values[0]?.value ?? 0;

  /** Starts a long-poll on an idle stream; resolves its response once it is answered (rejects once aborted). */
  function longPoll(stream: string, signal: AbortSignal, token?: string): Promise<Response> {
    const response = fetch(`${server!.url}/v1/streams/${stream}/events?after=0&wait=30`, {
      signal,
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
    });
    // Polls the test aborts are left unawaited: their rejection is expected.
    response.catch(() => {});
    return response;
  }

  async function holdPolls(count: number, signal: AbortSignal): Promise<Promise<Response>[]> {
    const polls = Array.from({ length: count }, (_, n) => longPoll(`run:idle-${n}`, signal));
    await waitUntil(async () => (await waiting()) === count);
    return polls;
  }

  it('counts held long-polls against the per-IP connection limit', async () => {
    server = await startStoreTestServer(store, { limits: { maxConnectionsPerIp: 3 } });
    const held = new AbortController();
    const polls = await holdPolls(3, held.signal);
    const refused = await longPoll('run:one-more', controller.signal);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_connections');
    held.abort();
    await Promise.allSettled(polls);
    await waitUntil(async () => (await waiting()) === 0);
    // The slots come back once the polls are over.
    const again = new AbortController();
    await holdPolls(3, again.signal);
    again.abort();
  });

  it('shares the per-IP limit with SSE responses', async () => {
    server = await startStoreTestServer(store, { limits: { maxConnectionsPerIp: 2 } });
    const held = new AbortController();
    const sse = await fetch(`${server.url}/v1/streams/run:sse/events`, {
      headers: { accept: 'text/event-stream' },
      signal: held.signal,
    });
    expect(sse.status).toBe(200);
    await holdPolls(1, held.signal);
    const refused = await longPoll('run:third', controller.signal);
    expect(refused.status).toBe(429);
    held.abort();
  });

  it('caps the long-polls the whole server holds (HERALD_MAX_LONG_POLLS)', async () => {
    server = await startStoreTestServer(store, { limits: { maxLongPolls: 2, maxConnectionsPerIp: 100 } });
    const held = new AbortController();
    await holdPolls(2, held.signal);
    const refused = await longPoll('run:over-cap', controller.signal);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_connections');
    held.abort();
  });

  it('gives a poll answered by an event its slot back', async () => {
    server = await startStoreTestServer(store, { limits: { maxConnectionsPerIp: 1 } });
    const first = longPoll('run:answered', controller.signal);
    await waitUntil(async () => (await waiting()) === 1);
    await server.herald.context.publisher.publish([{ stream: 'run:answered', type: 'tick' }]);
    expect((await first).status).toBe(200);
    const held = new AbortController();
    await holdPolls(1, held.signal);
    held.abort();
  });

  it('does not answer a poll held across its token expiry with an event published after it', async () => {
    server = await startStoreTestServer(store, { jwt: { secret: TEST_JWT_SECRET } });
    const token = await signTestToken({ read: ['*'] }, { expiresInSeconds: 2 });
    const startedAt = Date.now();
    const poll = longPoll('run:expiring', controller.signal, token);
    await waitUntil(async () => (await waiting()) === 1);
    // Publish once the token has certainly expired (exp has one-second granularity).
    const publishing = new Promise((resolve) => setTimeout(resolve, 3000)).then(() =>
      server!.herald.context.publisher.publish([{ stream: 'run:expiring', type: 'after_expiry' }]),
    );
    const response = await poll;
    const text = await response.text();
    expect(response.status).toBe(401);
    expect(JSON.parse(text).error.code).toBe('token_expired');
    expect(text).not.toContain('after_expiry');
    // Ended at the expiry, not at the 30 s wait (a generous bound on a loaded machine).
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    await publishing;
  });
});
