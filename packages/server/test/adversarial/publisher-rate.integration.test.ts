import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

const API_KEY = 'publisher-rate-api-key';
const CONCURRENCY = 20;

/** Runs `count` calls of `task`, `concurrency` at a time; resolves every result in order. */
async function runPooled<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

describe.each(DURABLE_TEST_STORES)('publish rate limits on $name (issue 12 item 6)', (store) => {
  let server: StoreTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('accepts 2,000 single-event publishes from one host with the API key and default limits', async () => {
    server = await startStoreTestServer(store, { apiKey: API_KEY });
    const statuses = await runPooled(2000, CONCURRENCY, async (n) => {
      const response = await requestJson(`${server!.url}/v1/streams/run:publisher/events`, {
        body: { type: 'tick', data: { n } },
        token: API_KEY,
      });
      return response.status;
    });
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
  });

  it('counts events, not requests: a batch spends one token per event', async () => {
    server = await startStoreTestServer(store, { limits: { publishRatePerSecond: 1, publishBurst: 10 } });
    const events = (count: number) => ({ events: Array.from({ length: count }, () => ({ type: 'tick' })) });
    const first = await requestJson(`${server.url}/v1/streams/run:batch/events`, { body: events(8) });
    expect(first.status).toBe(201);
    const second = await requestJson<{ error: { code: string; details: { retryAfterMs: number } } }>(
      `${server.url}/v1/streams/run:batch/events`,
      { body: events(5) },
    );
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('rate_limited');
    expect(second.body.error.details.retryAfterMs).toBeGreaterThan(0);
    expect(Number(second.headers.get('retry-after'))).toBe(Math.ceil(second.body.error.details.retryAfterMs / 1000));
  });

  it('admits a batch larger than the burst once, then makes the publisher wait for it', async () => {
    server = await startStoreTestServer(store, { limits: { publishRatePerSecond: 10, publishBurst: 20 } });
    const batch = { events: Array.from({ length: 50 }, () => ({ type: 'tick' })) };
    expect((await requestJson(`${server.url}/v1/streams/run:big/events`, { body: batch })).status).toBe(201);
    const next = await requestJson(`${server.url}/v1/streams/run:big/events`, { body: { type: 'tick' } });
    expect(next.status).toBe(429);
    // The 30 events of debt plus one token, at 10 per second.
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(3);
  });

  it('keys JWT publishers by subject, so two users on one host do not share a bucket', async () => {
    server = await startStoreTestServer(store, {
      jwt: { secret: TEST_JWT_SECRET },
      limits: { publishRatePerSecond: 1, publishBurst: 2 },
    });
    const alice = await signTestToken({ publish: ['*'] }, { subject: 'alice' });
    const bob = await signTestToken({ publish: ['*'] }, { subject: 'bob' });
    const publishAs = (token: string) =>
      requestJson(`${server!.url}/v1/streams/run:users/events`, { body: { type: 'tick' }, token });
    expect([(await publishAs(alice)).status, (await publishAs(alice)).status]).toEqual([201, 201]);
    expect((await publishAs(alice)).status).toBe(429);
    expect((await publishAs(bob)).status).toBe(201);
  });

  it('limits the API key only by its own setting', async () => {
    server = await startStoreTestServer(store, {
      apiKey: API_KEY,
      limits: { apiKeyPublishRatePerSecond: 1, publishBurst: 3 },
    });
    const statuses: number[] = [];
    for (let n = 0; n < 4; n++) {
      const response = await requestJson(`${server.url}/v1/streams/run:keyed/events`, {
        body: { type: 'tick' },
        token: API_KEY,
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it('answers a rate-limited WebSocket pub with an error frame carrying retryAfterMs', async () => {
    server = await startStoreTestServer(store, { limits: { publishRatePerSecond: 1, publishBurst: 1 } });
    const client = await WsTestClient.open(server.url);
    try {
      const accepted = await client.reply(client.send({ op: 'pub', stream: 'run:ws', event: { type: 'tick' } }));
      expect(accepted).toMatchObject({ op: 'ack', seq: 1 });
      const refused = await client.reply(client.send({ op: 'pub', stream: 'run:ws', event: { type: 'tick' } }));
      expect(refused).toMatchObject({ op: 'error', code: 'rate_limited', stream: 'run:ws' });
      expect((refused as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });
});
