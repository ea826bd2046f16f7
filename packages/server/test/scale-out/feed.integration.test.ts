/**
 * The live feed on 2 nodes sharing PostgreSQL and Redis, behind nginx: followers on every wire,
 * joining from random cursors, receive exactly the matching events published on either node, in
 * global commit order, once — across a `kill -9` of a node (its followers resume from their cursor
 * on the other one) and its restart (issue 16 part 1, G6; docs/protocol.md "Live feed").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFeedScenario } from '../support/feed-scenario.js';
import { FEED_TRANSPORTS, followFeed } from '../support/resuming-feed-follower.js';
import { seededRandom } from '../support/seeded-random.js';
import { type HeraldCluster, startHeraldCluster } from './support/herald-cluster.js';

// A feed on one node hears of a commit on another through Redis at once; without that wake-up it
// would learn of it only at its next timed re-read (QUIET_RESYNC_INTERVAL_MS, 5 s).
const CROSS_NODE_BOUND_MS = 2500;

describe('the live feed on a 2-node cluster with Redis', () => {
  let cluster: HeraldCluster;

  beforeAll(async () => {
    cluster = await startHeraldCluster(2);
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it.each(FEED_TRANSPORTS)('wakes a %s feed on one node for a commit on the other through Redis', async (transport) => {
    const [first, second] = cluster.nodes;
    const filter = { tags: { batchId: `cross-${transport}` } };
    const follower = followFeed(second!.url, filter, transport);
    try {
      // Let the follower reach live (an SSE or WebSocket feed is open, a long-poll is held).
      await new Promise((resolve) => setTimeout(resolve, 500));
      const publishedAtMs = performance.now();
      const response = await fetch(`${first!.url}/v1/streams/job:cross/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'tick', tags: filter.tags }),
      });
      expect(response.status).toBe(201);
      await follower.waitForCount(1, 10_000);
      expect(performance.now() - publishedAtMs).toBeLessThan(CROSS_NODE_BOUND_MS);
    } finally {
      follower.close();
    }
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
