/**
 * Seed 003's promise against a real server: after an outage, whatever its length, the client is
 * back on the best transport that works within 5 s of the restart, on quiet and on busy streams,
 * with the exact delivered sequence (G1–G3). The outage is the fault proxy resetting every
 * connection, as a server that is down would. The cases run concurrently (each has its own server
 * and proxy), so the file takes about as long as its longest outage.
 *
 * Why 60 s is enough for "any length": during an outage the wait between passes over the rungs
 * grows until it reaches RECONNECT_CAP_MS (3 s) after about 4 attempts (~6 s), and from then on
 * every pass looks the same; 60 s is ten times that, and cycles through every rung many times.
 */

import { describe, expect, it, type TestContext } from 'vitest';
import type { HeraldClient } from '../src/types.js';
import {
  createTestClient,
  type ProxiedHerald,
  publishDirect,
  recordSubscription,
  seqsUpTo,
  sleep,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

/** The requirement (issue 13): live on the best transport within 5 s of the restart. */
const BACK_WITHIN_MS = 5000;
/** Seed 003's busy stream: an event every 2 s. */
const PUBLISH_EVERY_MS = 2000;

const OUTAGES = [
  { name: '15 s outage, quiet stream', outageMs: 15_000, isBusy: false },
  { name: '15 s outage, stream publishing every 2 s', outageMs: 15_000, isBusy: true },
  { name: '60 s outage, quiet stream', outageMs: 60_000, isBusy: false },
  { name: '60 s outage, stream publishing every 2 s', outageMs: 60_000, isBusy: true },
];

describe.concurrent('recovery after an outage (seed 003)', () => {
  interface Publisher {
    /** Stops publishing; resolves with the number published. */
    stop: () => Promise<number>;
  }

  async function start({ onTestFinished }: TestContext): Promise<{
    herald: ProxiedHerald;
    track: (client: HeraldClient) => HeraldClient;
    startPublisher: (stream: string) => Publisher;
  }> {
    const herald = await startProxiedHerald();
    const clients: HeraldClient[] = [];
    const publishers: Publisher[] = [];
    // The test's own hook (concurrent tests): one case's end must not stop the others' servers. A case
    // that failed early still has its publisher running: it stops before the server does.
    onTestFinished(async () => {
      for (const client of clients) client.close();
      await Promise.allSettled(publishers.map((publisher) => publisher.stop()));
      await herald.close();
    });
    return {
      herald,
      track: (client) => {
        clients.push(client);
        return client;
      },
      startPublisher: (stream) => {
        const publisher = publishEvery(herald.serverUrl, stream);
        publishers.push(publisher);
        return publisher;
      },
    };
  }

  /** Publishes every PUBLISH_EVERY_MS until stopped; resolves with the number published. */
  function publishEvery(serverUrl: string, stream: string): Publisher {
    let published = 0;
    let isPublishing = true;
    const loop = (async () => {
      while (isPublishing) {
        published += 1;
        await publishDirect(serverUrl, stream, { type: 'job_progress', data: { n: published } });
        await sleep(PUBLISH_EVERY_MS);
      }
    })();
    // A case awaits `stop`, which reports a failed publish; a case that failed before that leaves its
    // publisher to the finish hook, and a publish failing meanwhile is no unhandled rejection.
    loop.catch(() => {});
    return {
      stop: async () => {
        isPublishing = false;
        await loop;
        return published;
      },
    };
  }

  it.for(OUTAGES)(
    'is live on WebSocket within 5 s after a $name, with every event once and in order',
    { timeout: 120_000 },
    async ({ outageMs, isBusy }, context) => {
      const { herald, track, startPublisher } = await start(context);
      const stream = `run:outage-${outageMs}-${isBusy ? 'busy' : 'quiet'}`;
      const client = track(createTestClient(herald.proxy.url));
      const run = recordSubscription(client, stream);
      await waitUntil(() => client.status === 'live', 5000, 'live');
      await publishDirect(herald.serverUrl, stream, { type: 'job_started' });
      await waitUntil(() => run.seqs().length === 1, 5000, 'seq 1');
      const publisher = isBusy ? startPublisher(stream) : undefined;

      herald.proxy.takeDown();
      await waitUntil(() => client.status !== 'live', 10_000, 'the client to notice the outage');
      await sleep(outageMs);
      herald.proxy.bringUp();
      const restoredAt = Date.now();
      await waitUntil(
        () => client.status === 'live' && client.stats().transport === 'websocket',
        BACK_WITHIN_MS + 10_000,
        'live on WebSocket',
      );
      const backAfterMs = Date.now() - restoredAt;
      expect(backAfterMs).toBeLessThanOrEqual(BACK_WITHIN_MS);

      // Keep the stream busy across the switch back up, then close it.
      await sleep(isBusy ? 2 * PUBLISH_EVERY_MS : 0);
      const publishedDuring = (await publisher?.stop()) ?? 0;
      await publishDirect(herald.serverUrl, stream, { type: 'workflow_completed', final: true });
      await waitUntil(run.isFinal, 10_000, 'final');
      const total = 1 + publishedDuring + 1;
      expect(run.seqs()).toEqual(seqsUpTo(total));
      expect(client.stats()).toMatchObject({ transport: 'websocket', eventsDelivered: total });
    },
  );

  it('is back on SSE within 5 s after a 15 s outage when the WebSocket is blocked, with every event once and in order', async (context) => {
    const { herald, track, startPublisher } = await start(context);
    const stream = 'run:outage-sse';
    herald.proxy.refuseWebSocket = true;
    const client = track(createTestClient(herald.proxy.url));
    const run = recordSubscription(client, stream);
    await waitUntil(() => client.stats().transport === 'sse', 10_000, 'SSE');
    const publisher = startPublisher(stream);
    await waitUntil(() => run.seqs().length >= 1, 5000, 'seq 1');

    herald.proxy.takeDown();
    await waitUntil(() => client.status !== 'live', 10_000, 'the client to notice the outage');
    await sleep(15_000);
    herald.proxy.bringUp();
    const restoredAt = Date.now();
    await waitUntil(
      () => client.status === 'live' && client.stats().transport === 'sse',
      BACK_WITHIN_MS + 10_000,
      'live on SSE',
    );
    expect(Date.now() - restoredAt).toBeLessThanOrEqual(BACK_WITHIN_MS);

    await sleep(2 * PUBLISH_EVERY_MS);
    const published = await publisher.stop();
    await publishDirect(herald.serverUrl, stream, { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 10_000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(published + 1));
    expect(client.stats()).toMatchObject({ transport: 'sse', eventsDelivered: published + 1 });
  }, 120_000);
});
