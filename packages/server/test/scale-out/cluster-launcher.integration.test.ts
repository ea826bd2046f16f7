import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, schemaStoreUrl, uniqueSchemaName } from '../support/postgres-test-schema.js';
import { RedisServerProcess } from '../support/redis-server-process.js';
import { publishUntilAcknowledged, seqsUpTo } from './support/herald-cluster.js';
import { followStream } from './support/resuming-subscriber.js';

const CLUSTER_SCRIPT = fileURLToPath(new URL('../../../../deploy/cluster.mjs', import.meta.url));
const LISTENING_LINE = /Herald listening on (http:\/\/\S+)/g;
const SUBSCRIBERS = 4;
// Two rounds over both workers.
const SCRAPES = 4;

function launch(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [CLUSTER_SCRIPT, '--host', '127.0.0.1', '--port', '0'], {
    env: { PATH: process.env.PATH, HERALD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', record);
  child.stderr!.on('data', record);
  return { child, output: () => output };
}

/** Resolves the URLs the workers announced once `count` of them listen. */
async function waitForWorkers(output: () => string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const urls = [...output().matchAll(LISTENING_LINE)].map((match) => match[1]!);
    if (urls.length >= count) return urls;
    if (Date.now() > deadline) throw new Error(`workers did not start:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The open WebSocket connections (`herald_connections{transport="websocket"}`) of whichever
 * worker the primary hands this request to: a connection of its own per scrape, so consecutive
 * scrapes go to the workers in turn.
 */
async function scrapeWebSocketConnections(url: string): Promise<number> {
  const response = await fetch(`${url}/metrics`, { headers: { connection: 'close' } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  // A worker that never had a WebSocket has no sample for the label yet.
  return Number(/^herald_connections\{transport="websocket"\} (\d+)$/m.exec(text)?.[1] ?? 0);
}

/** deploy/cluster.mjs: one node per core on one port, sharing PostgreSQL and Redis. */
describe('cluster launcher', () => {
  const schema = uniqueSchemaName();
  let redis: RedisServerProcess;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
  });
  afterAll(async () => {
    await redis?.kill();
    await dropTestSchema(schema);
  });

  it('serves one port from two workers that deliver each other’s events, and exits 0 on SIGTERM', async () => {
    const { child, output } = launch({
      HERALD_WORKERS: '2',
      HERALD_STORE: schemaStoreUrl(schema),
      HERALD_BROKER: redis.url,
    });
    try {
      const urls = await waitForWorkers(output, 2);
      expect(new Set(urls).size).toBe(1);
      const url = urls[0]!;
      // The primary hands connections to the workers in turn: four subscribers land on both.
      const subscribers = Array.from({ length: SUBSCRIBERS }, () => followStream(url, 'run:cluster', 'websocket'));
      for (let n = 1; n <= 20; n++) await publishUntilAcknowledged(url, 'run:cluster', `e${n}`);
      await Promise.all(subscribers.map((subscriber) => subscriber.waitForSeq(20)));
      for (const subscriber of subscribers) {
        expect({ received: subscriber.received, failures: subscriber.failures }).toEqual({
          received: seqsUpTo(20),
          failures: 0,
        });
      }
      // All four are still on their first connection, and every worker asked holds some but not
      // all of them: the rest are on the other worker, so both served subscribers.
      const perWorker: number[] = [];
      for (let i = 0; i < SCRAPES; i++) perWorker.push(await scrapeWebSocketConnections(url));
      expect(perWorker.filter((count) => count === 0 || count === SUBSCRIBERS)).toEqual([]);
      for (const subscriber of subscribers) subscriber.close();
    } finally {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        expect((await exited)[0]).toBe(0);
      }
    }
  });

  it('refuses several workers without a shared broker', async () => {
    const { child, output } = launch({ HERALD_WORKERS: '2', HERALD_STORE: 'memory:' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(output()).toContain('several workers need a shared store and broker');
  });
});
