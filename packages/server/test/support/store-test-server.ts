import type { HeraldConfigInput } from '@herald/server';
import { type LiveTestServer, startLiveTestServer } from './live-test-server.js';
import type { TestStore } from './test-stores.js';

/** An in-process Herald on a fresh store of `testStore` (SQLite or PostgreSQL, usually). */
export interface StoreTestServer extends LiveTestServer {
  /** The store URL the server uses. */
  store: string;
}

/**
 * Starts Herald on a fresh store of `testStore`, publish rate unlimited (adversarial suites send
 * many requests from one address); `close()` closes the server, then deletes the store.
 */
export async function startStoreTestServer(
  testStore: TestStore,
  config: HeraldConfigInput = {},
): Promise<StoreTestServer> {
  const opened = await testStore.open();
  try {
    const server = await startLiveTestServer({
      store: opened.store,
      ...config,
      limits: { publishRatePerSecond: 0, ...config.limits },
    });
    return {
      ...server,
      store: opened.store,
      close: async () => {
        await server.close();
        await opened.cleanup();
      },
    };
  } catch (error) {
    await opened.cleanup();
    throw error;
  }
}
