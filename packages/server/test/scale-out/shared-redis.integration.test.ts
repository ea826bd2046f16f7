import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { SseTestClient } from '../support/sse-test-client.js';

/**
 * Two deployments (each its own store) pointed at one Redis, as a staging and a production Herald
 * sharing a cache server: each must hear only its own nodes (review finding: one deployment's
 * subscriber received the other's event at its own next seq, and never the real one).
 */
describe('two deployments sharing one Redis', () => {
  let redis: RedisServerProcess;
  let first: LiveTestServer;
  let second: LiveTestServer;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    first = await startLiveTestServer({ broker: redis.url });
    second = await startLiveTestServer({ broker: redis.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.kill();
  });

  it("delivers to each deployment's subscribers only its own events", async () => {
    const stream = 'run:shared-redis';
    const client = await SseTestClient.open(`${second.url}/v1/streams/${stream}/events`);
    await client.waitUntil(() => client.named('live').length === 1);
    await first.publish(stream, [{ type: 'foreign' }]);
    // Time for the first deployment's announcement to cross Redis before the second publishes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.publish(stream, [{ type: 'own' }]);
    await client.waitUntil(() => client.seqs().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      client.messages.filter((message) => message.event === 'message').map((m) => JSON.parse(m.data).type),
    ).toEqual(['own']);
    client.close();
  });

  it("keeps each deployment's watcher counts apart", async () => {
    const stream = 'run:shared-redis-presence';
    const client = await SseTestClient.open(`${first.url}/v1/streams/${stream}/events`);
    await client.waitUntil(() => client.named('live').length === 1);
    const watchers = async (server: LiveTestServer) =>
      ((await (await fetch(`${server.url}/v1/streams/${stream}/presence`)).json()) as { count: number }).count;
    await expect.poll(() => watchers(first), { timeout: 5000 }).toBe(1);
    expect(await watchers(second)).toBe(0);
    client.close();
  });
});
