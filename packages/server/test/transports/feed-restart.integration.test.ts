/**
 * The live feed on one node over each durable store: followers on every wire, joining from random
 * cursors, receive exactly the matching events, in commit order, once, across a `kill -9` and a
 * graceful restart of the server (issue 16 part 1; docs/protocol.md "Live feed").
 */
import { afterEach, describe, it } from 'vitest';
import { runFeedScenario } from '../support/feed-scenario.js';
import { type HeraldProcess, startHeraldProcess } from '../support/herald-process.js';
import { seededRandom } from '../support/seeded-random.js';
import { DURABLE_TEST_STORES, type OpenedTestStore } from '../support/test-stores.js';

describe.each(DURABLE_TEST_STORES)('the live feed on $name', (testStore) => {
  let server: HeraldProcess | undefined;
  let store: OpenedTestStore | undefined;

  afterEach(async () => {
    await server?.close();
    await store?.cleanup();
  });

  it('delivers every matching event once, in commit order, to followers from random cursors across kill -9 and a restart', async () => {
    store = await testStore.open();
    const herald = await startHeraldProcess({
      env: { HERALD_STORE: store.store, HERALD_PUBLISH_RATE_PER_SECOND: '0' },
    });
    server = herald;
    await runFeedScenario({
      publishUrls: [herald.url],
      followUrl: herald.url,
      historyUrl: herald.url,
      random: seededRandom(16),
      async disrupt() {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await herald.kill();
        await herald.restart();
        await new Promise((resolve) => setTimeout(resolve, 150));
        await herald.stop();
        await herald.restart();
      },
    });
  }, 90_000);
});
