import { type HeraldProcess, startHeraldProcess } from '../../support/herald-process.js';
import { dropTestSchema, schemaStoreUrl, uniqueSchemaName } from '../../support/postgres-test-schema.js';
import { RedisServerProcess } from '../../support/redis-server-process.js';
import { NginxProcess } from './nginx-process.js';

/** A scale-out deployment for one test file: N nodes on PostgreSQL and Redis, behind nginx. */
export interface HeraldCluster {
  readonly nodes: HeraldProcess[];
  /** The load balancer's base URL (deploy/nginx.conf). */
  readonly url: string;
  /** This cluster's own Redis, which a test may kill and restart. */
  readonly redis: RedisServerProcess;
  close(): Promise<void>;
}

/**
 * Starts `nodeCount` Herald processes (built CLI) sharing a fresh PostgreSQL schema and a private
 * redis-server, all at once (so they also race to migrate), and nginx in front of them. `env`
 * adds HERALD_* settings for every node.
 */
export async function startHeraldCluster(nodeCount = 3, env: Record<string, string> = {}): Promise<HeraldCluster> {
  const schema = uniqueSchemaName();
  const redis = await RedisServerProcess.start();
  const nodeEnv = {
    ...env,
    HERALD_STORE: schemaStoreUrl(schema),
    HERALD_BROKER: redis.url,
    // Every test client comes from 127.0.0.1 (through nginx, too): per-IP publish limits would
    // throttle the test, not a real deployment.
    HERALD_PUBLISH_RATE_PER_SECOND: '0',
  };
  const nodes = await Promise.all(Array.from({ length: nodeCount }, () => startHeraldProcess({ env: nodeEnv })));
  const nginx = await NginxProcess.start(nodes.map((node) => node.url));
  return {
    nodes,
    url: nginx.url,
    redis,
    async close() {
      await nginx.close();
      await Promise.all(nodes.map((node) => node.close()));
      await redis.kill();
      await dropTestSchema(schema);
    },
  };
}

/**
 * Publishes one event with a fixed idempotency id, retrying until it is acknowledged: a publish
 * cut off by a dying node may or may not have committed, and the id makes the retry safe (G5).
 */
export async function publishUntilAcknowledged(
  baseUrl: string,
  stream: string,
  id: string,
  timeoutMs = 20_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/v1/streams/${encodeURIComponent(stream)}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'job_progress', id, data: { id } }),
      });
      const body = (await response.json()) as { events?: { seq: number }[] };
      if (response.ok) return body.events![0]!.seq;
    } catch {
      // Connection refused or reset: the node is gone; go again (through nginx, to another one).
    }
    if (Date.now() > deadline) throw new Error(`publish ${id} not acknowledged within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Seqs 1..count, the sequence every subscriber must receive exactly. */
export function seqsUpTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
