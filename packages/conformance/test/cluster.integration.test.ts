import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HeraldCluster, startHeraldCluster } from '../../server/test/scale-out/support/herald-cluster.js';
import { runConformance } from './support/run-conformance.js';

// The scale-out shape (docs/scale-out.md) must keep the same contract as one node: three nodes on
// PostgreSQL and Redis behind the shipped nginx config, each request landing on any node.

let cluster: HeraldCluster;

beforeAll(async () => {
  cluster = await startHeraldCluster(3);
});
afterAll(() => cluster?.close());

it('herald-conformance passes against three PostgreSQL + Redis nodes behind nginx', { timeout: 120_000 }, async () => {
  const run = await runConformance(cluster.url);
  expect(run.output).not.toMatch(/\bfailed\b/);
  expect(run.output).toMatch(/Tests\s+\d+ passed/);
  expect(run.exitCode).toBe(0);
});
