import { join } from 'node:path';
import { createHerald } from '@herald/server';
import type { BenchServer, ServerOptions } from './target.js';

// Herald's largest atomic batch (DEFAULT_MAX_BATCH_EVENTS): a burst is published in batches of this size.
const PUBLISH_BATCH_EVENTS = 1000;
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** The PostgreSQL schema holding the bench's tables. */
export const BENCH_POSTGRES_SCHEMA = 'herald_bench';

/**
 * The store URL of the PostgreSQL runs: the integration tests' database (HERALD_TEST_POSTGRES_URL,
 * as in packages/server/test/support/postgres-test-schema.ts), in a schema of the bench's own. The
 * tests use `public` and `herald_test_*` schemas, so neither ever sees the other's tables.
 */
export function benchPostgresUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = new URL(env.HERALD_TEST_POSTGRES_URL ?? DEFAULT_POSTGRES_URL);
  url.searchParams.set('schema', BENCH_POSTGRES_SCHEMA);
  return url.toString();
}

function storeUrl(options: ServerOptions): string {
  if (options.store === 'memory') return 'memory:';
  if (options.store === 'postgres') return benchPostgresUrl();
  return `sqlite:${join(options.dataDir, 'herald.db')}`;
}

/**
 * Starts Herald in this process with the production code path and the limits lifted that would
 * otherwise refuse a benchmark (connections per IP, publish rate). Messages are published
 * in-process (the library shape, `context.publisher`), like the peers' in-process broadcasts, so
 * the fan-out numbers are not diluted by HTTP parsing; the ingest scenario measures the POST path.
 */
export async function startHeraldServer(options: ServerOptions): Promise<BenchServer> {
  const herald = await createHerald({
    host: '127.0.0.1',
    port: 0,
    dataDir: options.dataDir,
    store: storeUrl(options),
    demo: false,
    logLevel: 'warn',
    limits: { maxConnectionsPerIp: 1_000_000, publishRatePerSecond: 0 },
  });
  const url = await herald.listen();
  return {
    url,
    async publish(stream, dataJsons) {
      for (let from = 0; from < dataJsons.length; from += PUBLISH_BATCH_EVENTS) {
        const batch = dataJsons.slice(from, from + PUBLISH_BATCH_EVENTS);
        await herald.context.publisher.publish(batch.map((json) => ({ stream, type: 'tick', data: JSON.parse(json) })));
      }
    },
    close: () => herald.close(),
  };
}
