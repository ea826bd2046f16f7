import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { StreamPresence } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCountingSource } from '../support/counting-source.js';
import { CLI_BIN } from '../support/herald-process.js';
import { readPresence, waitForPresence } from '../support/presence-reader.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';
import { type HeraldCluster, startHeraldCluster } from './support/herald-cluster.js';

const HEARTBEAT_INTERVAL_MS = 1000;
/** The bound: joins and leaves are seen within two heartbeat intervals, on every node. */
const SEEN_WITHIN_MS = 2 * HEARTBEAT_INTERVAL_MS;
const STREAM = 'run:presence';

let cluster: HeraldCluster;
const clients: { close(): void }[] = [];

beforeAll(async () => {
  cluster = await startHeraldCluster(2, { HERALD_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_INTERVAL_MS) });
}, 60_000);
afterAll(async () => {
  for (const client of clients) client.close();
  await cluster.close();
});

async function subscribe(nodeUrl: string, frame: Record<string, unknown>): Promise<WsTestClient> {
  const client = await WsTestClient.open(nodeUrl);
  clients.push({ close: () => client.socket.terminate() });
  client.send({ op: 'sub', stream: STREAM, ...frame });
  return client;
}

/** Waits until both nodes report what `check` wants, each within the bound from now. */
function seenOnBothNodes(check: (presence: StreamPresence) => boolean): Promise<StreamPresence[]> {
  return Promise.all(cluster.nodes.map((node) => waitForPresence(node.url, STREAM, check, SEEN_WITHIN_MS)));
}

describe('presence across 2 nodes with Redis', () => {
  it('counts watchers of both nodes, sees joins and leaves on each, and forgets a killed node', async () => {
    const [a, b] = cluster.nodes as [HeraldCluster['nodes'][0], HeraldCluster['nodes'][0]];
    const dashboard = await subscribe(a.url, { presence: true, label: 'dash' });
    await seenOnBothNodes((p) => p.count === 1);

    const onB = await subscribe(b.url, { label: 'bea' });
    const sseOnB = await SseTestClient.open(`${b.url}/v1/streams/${STREAM}/events?label=sam`);
    clients.push({ close: () => sseOnB.request.destroy() });
    const joined = await seenOnBothNodes((p) => p.count === 3);
    for (const presence of joined) expect(presence.names).toEqual(['bea', 'dash', 'sam']);
    // A's subscriber asked for presence frames: it is told of B's watchers too.
    await dashboard.waitFor((frame) => frame.op === 'presence' && frame.count === 3, SEEN_WITHIN_MS);

    onB.socket.terminate();
    await seenOnBothNodes((p) => p.count === 2 && !p.names.includes('bea'));

    // kill -9: B takes nothing off the board; its entry expires in Redis.
    await b.kill();
    const afterKill = await waitForPresence(a.url, STREAM, (p) => p.count === 1, SEEN_WITHIN_MS);
    expect(afterKill).toEqual({ stream: STREAM, count: 1, names: ['dash'] });
    await dashboard.waitFor(
      (frame) => frame.op === 'presence' && frame.count === 1 && frame.names.length === 1,
      SEEN_WITHIN_MS,
    );

    await b.restart();
    const back = await subscribe(b.url, { label: 'bea' });
    await seenOnBothNodes((p) => p.count === 2);
    back.socket.terminate();
    dashboard.socket.terminate();
    await seenOnBothNodes((p) => p.count === 0);
    expect(await readPresence(a.url, STREAM)).toEqual({ stream: STREAM, count: 0, names: [] });
  }, 60_000);

  it('runs a CLI watcher on one node only while a subscriber watches on the other', async () => {
    const [a, b] = cluster.nodes as [HeraldCluster['nodes'][0], HeraldCluster['nodes'][0]];
    const stream = 'run:watched-elsewhere';
    const source = await startCountingSource({ status: 'queued' });
    clients.push(source);
    const watcher = spawn(process.execPath, [
      CLI_BIN,
      'watch',
      stream,
      source.url,
      '--interval-ms',
      '100',
      '--url',
      a.url,
    ]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(source.requests).toBe(0);
      const client = await WsTestClient.open(b.url);
      client.send({ op: 'sub', stream });
      await client.waitFor((frame) => frame.op === 'event' && frame.seq === 1, 10_000);
      client.socket.terminate();
      await vi.waitFor(
        async () => {
          const before = source.requests;
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(source.requests).toBe(before);
        },
        { timeout: 10_000 },
      );
    } finally {
      watcher.kill('SIGTERM');
      await once(watcher, 'exit');
    }
  }, 60_000);
});
