import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import {
  type HeraldCluster,
  publishUntilAcknowledged,
  seqsUpTo,
  startHeraldCluster,
} from './support/herald-cluster.js';
import { followStream, type ResumingSubscriber, TRANSPORTS } from './support/resuming-subscriber.js';

/** Polls `/readyz` until it answers 200, as a deploy script waits for a restarted node. */
async function waitUntilReady(baseUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status !== 200) {
    if (Date.now() > deadline) throw new Error(`${baseUrl} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Scale-out delivery (G1–G3 across nodes, G6 any node): three nodes on PostgreSQL + Redis, behind nginx. */
describe('three nodes behind nginx', () => {
  let cluster: HeraldCluster;
  const subscribers: ResumingSubscriber[] = [];
  const follow = (...args: Parameters<typeof followStream>) => {
    const subscriber = followStream(...args);
    subscribers.push(subscriber);
    return subscriber;
  };

  beforeAll(async () => {
    cluster = await startHeraldCluster();
  });
  afterEach(() => {
    for (const subscriber of subscribers.splice(0)) subscriber.close();
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('reports the store and the broker ready on every node', async () => {
    for (const node of cluster.nodes) {
      expect((await requestJson(`${node.url}/readyz`)).body).toEqual({ status: 'ready', store: 'up', broker: 'up' });
    }
  });

  it('delivers an event published on node 1 to a client on node 2, live (seed 002)', async () => {
    const [one, two] = cluster.nodes as [HeraldCluster['nodes'][number], HeraldCluster['nodes'][number]];
    const subscriber = follow(two.url, 'run:seed-002', 'websocket');
    await publishUntilAcknowledged(one.url, 'run:seed-002', 'e1');
    await subscriber.waitForSeq(1);
    // Caught up on node 2: seq 2 can only reach it through the broker.
    await publishUntilAcknowledged(one.url, 'run:seed-002', 'e2');
    await subscriber.waitForSeq(2);
    expect(subscriber.received).toEqual([1, 2]);
  });

  it('delivers exactly the published sequence to every subscriber, on every transport and node, under concurrent publishers on every node', async () => {
    const streams = ['run:mix-a', 'run:mix-b'];
    const entryUrls = [...cluster.nodes.map((node) => node.url), cluster.url];
    const all = streams.flatMap((stream) =>
      entryUrls.flatMap((url) => TRANSPORTS.map((transport) => follow(url, stream, transport))),
    );
    const eventsPerPublisher = 30;

    await Promise.all(
      cluster.nodes.flatMap((node, n) =>
        streams.map(async (stream) => {
          for (let i = 0; i < eventsPerPublisher; i++) await publishUntilAcknowledged(node.url, stream, `n${n}-${i}`);
        }),
      ),
    );

    const total = cluster.nodes.length * eventsPerPublisher;
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(total)));
    for (const subscriber of all) {
      expect({ transport: subscriber.transport, received: subscriber.received }).toEqual({
        transport: subscriber.transport,
        received: seqsUpTo(total),
      });
    }
  });

  it('keeps history, state and epochs intact after every node crashes and restarts', async () => {
    for (let i = 0; i < 20; i++) {
      await requestJson(`${cluster.url}/v1/streams/run:history/events`, {
        body: { type: 'job_progress', id: `h${i}`, state: { step: i }, tags: { batchId: 'b1' } },
      });
    }
    const readAll = async () => ({
      snapshot: (await requestJson(`${cluster.url}/v1/streams/run:history`)).body,
      history: (await requestJson(`${cluster.url}/v1/events?tag.batchId=b1&limit=100`)).body,
    });
    const before = await readAll();

    // kill -9 (nothing graceful runs), then start again: acknowledged publishes are durable (G4).
    await Promise.all(cluster.nodes.map((node) => node.kill().then(() => node.restart())));
    await waitUntilReady(cluster.url);

    expect(await readAll()).toEqual(before);
    expect((before.history as { events: unknown[] }).events).toHaveLength(20);
  }, 60_000);
});
