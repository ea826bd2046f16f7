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

// "At once" (issue 6): a client told 1012 is subscribed again on another node within this bound
// (the test client reconnects with no pause after a 1012; a move takes tens of ms here).
const MOVE_BOUND_MS = 2000;
// Live push after the Redis restart: every probe must arrive within this bound on the other nodes.
// The hubs' degraded store polling runs every 1000 ms, so a polled event waits up to 1 s; one
// node's probes, PROBE_SPACING_MS apart, span 450 ms, more than the 250 ms window before a poll,
// so polling could never bring all of them in time.
const MAX_LIVE_LATENCY_MS = 250;
const PROBES_PER_NODE = 4;
const PROBE_SPACING_MS = 150;
// The transports a hub pushes to; ETag polling reads the store on its own schedule, broker or not.
const PUSH_TRANSPORTS = ['websocket', 'sse', 'longpoll'] as const;

/** A node's dependencies as `/readyz` reports them: in its body on 200, in the error's details on 503. */
interface Readiness {
  status: number;
  store: string | undefined;
  broker: string | undefined;
}

interface ReadyzBody {
  store?: string;
  broker?: string;
  error?: { details?: { store?: string; broker?: string } };
}

async function readReadiness(nodeUrl: string): Promise<Readiness> {
  const answer = await requestJson<ReadyzBody>(`${nodeUrl}/readyz`);
  const dependencies = answer.body?.error?.details ?? answer.body ?? {};
  return { status: answer.status, store: dependencies.store, broker: dependencies.broker };
}

/** Polls every node's `/readyz` until each reports `broker` as `isWanted` says; resolves their answers. */
async function waitForBroker(
  cluster: HeraldCluster,
  isWanted: (broker: string | undefined) => boolean,
  timeoutMs = 10_000,
): Promise<Readiness[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(cluster.nodes.map((node) => readReadiness(node.url)));
    if (answers.every((answer) => isWanted(answer.broker))) return answers;
    if (Date.now() > deadline) throw new Error(`/readyz still answers ${JSON.stringify(answers)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many deliveries a node's hub took from the log rather than from announcements (`/metrics`). */
async function logDeliveries(nodeUrl: string): Promise<number> {
  const text = await (await fetch(`${nodeUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('herald_deliveries_total{source="log"} '));
  if (line === undefined) throw new Error(`${nodeUrl}/metrics has no log deliveries sample`);
  return Number(line.split(' ')[1]);
}

/** A subscriber connected to one node directly, not through nginx. */
interface NodeSubscriber {
  nodeIndex: number;
  subscriber: ResumingSubscriber;
}

/** A probe event that reached a subscriber on another node later than MAX_LIVE_LATENCY_MS. */
interface LateProbe {
  seq: number;
  from: number;
  to: number;
  transport: TransportName;
  latencyMs: number;
}

/**
 * Each node in turn publishes PROBES_PER_NODE events to `stream` (seqs after `afterSeq`),
 * PROBE_SPACING_MS apart; resolves the probes that reached a `direct` subscriber on another node late. Nobody
 * publishes on the receiving nodes meanwhile: a node's own publish would fill its gap from the
 * store and hide how the others' events came. The publisher's own subscribers are left out: a
 * node hands its own events over without Redis.
 */
async function probeCrossNodeLatency(
  cluster: HeraldCluster,
  stream: string,
  direct: readonly NodeSubscriber[],
  all: readonly ResumingSubscriber[],
  afterSeq: number,
): Promise<{ late: LateProbe[]; lastSeq: number }> {
  let seq = afterSeq;
  const late: LateProbe[] = [];
  for (const [from, publisher] of cluster.nodes.entries()) {
    const round: { seq: number; sentAtMs: number }[] = [];
    for (let i = 0; i < PROBES_PER_NODE; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, PROBE_SPACING_MS));
      seq += 1;
      const sentAtMs = performance.now();
      await publishUntilAcknowledged(publisher.url, stream, `e${seq}`);
      round.push({ seq, sentAtMs });
    }
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(seq)));
    for (const probe of round) {
      for (const { nodeIndex: to, subscriber } of direct) {
        const latencyMs = Math.round(subscriber.arrivedAtMs(probe.seq)! - probe.sentAtMs);
        const isLate = to !== from && latencyMs > MAX_LIVE_LATENCY_MS;
        if (isLate) late.push({ seq: probe.seq, from, to, transport: subscriber.transport, latencyMs });
      }
    }
  }
  return { late, lastSeq: seq };
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
    for (const subscriber of moved) {
      const closeIndex = subscriber.closeCodes.indexOf(1012);
      const closedAtMs = subscriber.closedAtMs[closeIndex]!;
      const resubscribedAtMs = subscriber.subscribedAtMs.find((atMs) => atMs > closedAtMs);
      // Its next connection is still open long after node 1 exited, so it is on another node.
      expect(subscriber.closeCodes.slice(closeIndex + 1)).toEqual([]);
      expect(resubscribedAtMs).toBeDefined();
      expect(resubscribedAtMs! - closedAtMs).toBeLessThan(MOVE_BOUND_MS);
    }
    await cluster.nodes[1]!.restart();
  });

  it('keeps delivering through a Redis restart: degraded, then live again, nothing lost', async () => {
    const all = followThroughNginx('run:redis', TRANSPORTS, 2);
    // And one push subscriber per transport on each node directly, to time announcements between nodes.
    const direct: NodeSubscriber[] = cluster.nodes.flatMap((node, nodeIndex) =>
      PUSH_TRANSPORTS.map((transport) => ({ nodeIndex, subscriber: followStream(node.url, 'run:redis', transport) })),
    );
    all.push(...direct.map(({ subscriber }) => subscriber));
    subscribers.push(...direct.map(({ subscriber }) => subscriber));
    await publishRange(cluster.url, 'run:redis', 1, 10);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(10)));

    await cluster.redis.kill();
    // Readiness names the missing dependency while the hubs poll the log instead, and keeps every
    // node in service: they all share the broker, so failing readiness would pull them all out.
    const degraded = await waitForBroker(cluster, (broker) => broker !== 'up');
    expect(degraded).toEqual(cluster.nodes.map(() => ({ status: 200, store: 'up', broker: 'down' })));
    await publishRange(cluster.url, 'run:redis', 11, 20);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(20)));

    await cluster.redis.restart();
    await publishRange(cluster.url, 'run:redis', 21, 30);
    await Promise.all(all.map((subscriber) => subscriber.waitForSeq(30)));

    // Live again: every node reports the broker up (and so has stopped polling the store) …
    const live = await waitForBroker(cluster, (broker) => broker === 'up');
    expect(live.map(({ status, store }) => ({ status, store }))).toEqual(
      cluster.nodes.map(() => ({ status: 200, store: 'up' })),
    );
    // … and events published on one node reach the other nodes' subscribers by push through Redis:
    // in time, and not one of them read from the log by any hub.
    const logDeliveriesBefore = await Promise.all(cluster.nodes.map((node) => logDeliveries(node.url)));
    const { late, lastSeq } = await probeCrossNodeLatency(cluster, 'run:redis', direct, all, 30);
    expect(late).toEqual([]);
    expect(await Promise.all(cluster.nodes.map((node) => logDeliveries(node.url)))).toEqual(logDeliveriesBefore);

    await expectExactly(all, lastSeq);
  });
});
