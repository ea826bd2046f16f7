import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import {
  type HeraldCluster,
  publishUntilAcknowledged,
  seqsUpTo,
  startHeraldCluster,
} from './support/herald-cluster.js';
import {
  followStream,
  type ResumingSubscriber,
  TRANSPORTS,
  type TransportName,
} from './support/resuming-subscriber.js';

/** Publishes events `from..to` (ids `e<n>`) one after another through `baseUrl`. */
async function publishRange(baseUrl: string, stream: string, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) await publishUntilAcknowledged(baseUrl, stream, `e${n}`);
}

/** Polls a node's `/readyz` until it answers `status`; resolves that answer. */
async function waitForReadiness(nodeUrl: string, status: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await requestJson<{ error?: { details: unknown } }>(`${nodeUrl}/readyz`);
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`${nodeUrl}/readyz stayed ${answer.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Fail-over (G1–G3 across node loss, G6): subscribers and publishers reach the nodes through
 * nginx only, as a browser would; each failure happens mid-run, and every subscriber must still
 * end with exactly the published sequence.
 */
describe('fail-over behind nginx', () => {
  let cluster: HeraldCluster;
  const subscribers: ResumingSubscriber[] = [];
  const followThroughNginx = (stream: string, transports: readonly TransportName[], perTransport: number) => {
    const started = transports.flatMap((transport) =>
      Array.from({ length: perTransport }, () => followStream(cluster.url, stream, transport)),
    );
    subscribers.push(...started);
    return started;
  };
  const expectExactly = async (all: ResumingSubscriber[], total: number) => {
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(total)));
    for (const subscriber of all) {
      expect({ transport: subscriber.transport, received: subscriber.received, resets: subscriber.resets }).toEqual({
        transport: subscriber.transport,
        received: seqsUpTo(total),
        resets: 0,
      });
    }
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

  it('resumes every client of a node killed with SIGKILL on the other nodes, losing nothing', async () => {
    const all = followThroughNginx('run:kill', TRANSPORTS, 3);
    await publishRange(cluster.url, 'run:kill', 1, 30);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(30)));

    const publishing = publishRange(cluster.url, 'run:kill', 31, 90);
    await all[0]!.waitForSeq(45);
    await cluster.nodes[0]!.kill();
    await publishing;

    await expectExactly(all, 90);
    // The kill did cut some of them off: they came back through nginx.
    expect(all.some((subscriber) => subscriber.failures > 0)).toBe(true);
    await cluster.nodes[0]!.restart();
  });

  it('closes WebSockets with 1012 when a node stops with SIGTERM, and its clients move on at once', async () => {
    const all = followThroughNginx('run:term', ['websocket'], 6);
    await publishRange(cluster.url, 'run:term', 1, 10);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(10)));

    expect(await cluster.nodes[1]!.stop()).toBe(0);
    const moved = all.filter((subscriber) => subscriber.closeCodes.includes(1012));
    expect(moved.length).toBeGreaterThan(0);
    await publishRange(cluster.url, 'run:term', 11, 20);

    await expectExactly(all, 20);
    await cluster.nodes[1]!.restart();
  });

  it('keeps delivering through a Redis restart: degraded, then live again, nothing lost', async () => {
    const all = followThroughNginx('run:redis', TRANSPORTS, 2);
    await publishRange(cluster.url, 'run:redis', 1, 10);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(10)));

    await cluster.redis.kill();
    // Readiness names the missing dependency while the hubs poll the log instead.
    const notReady = await waitForReadiness(cluster.nodes[0]!.url, 503);
    expect(notReady.body.error?.details).toEqual({ store: 'up', broker: 'down' });
    await publishRange(cluster.url, 'run:redis', 11, 20);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(20)));

    await cluster.redis.restart();
    await publishRange(cluster.url, 'run:redis', 21, 30);

    await expectExactly(all, 30);
    await waitForReadiness(cluster.nodes[0]!.url, 200);
  });
});
