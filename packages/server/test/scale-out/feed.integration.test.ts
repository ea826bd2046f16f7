/**
 * The live feed on 2 nodes sharing PostgreSQL and Redis, behind nginx: followers on every wire,
 * joining from random cursors, receive exactly the matching events published on either node, in
 * global commit order, once — across a `kill -9` of a node (its followers resume from their cursor
 * on the other one) and its restart (issue 16 part 1, G6; docs/protocol.md "Live feed").
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runFeedScenario } from '../support/feed-scenario.js';
import { seededRandom } from '../support/seeded-random.js';
import { type HeraldCluster, startHeraldCluster } from './support/herald-cluster.js';

describe('the live feed on a 2-node cluster with Redis', () => {
  let cluster: HeraldCluster;

  beforeAll(async () => {
    cluster = await startHeraldCluster(2);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('delivers every matching event once, in commit order, across nodes and a node kill -9', async () => {
    const [first, second] = cluster.nodes;
    await runFeedScenario({
      publishUrls: [first!.url, second!.url],
      followUrl: cluster.url,
      historyUrl: cluster.url,
      random: seededRandom(1602),
      async disrupt() {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await first!.kill();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await first!.restart();
      },
    });
  }, 90_000);
});
