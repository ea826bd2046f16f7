import type { HeraldConfigInput } from '@herald/server';
import type { TransportOptions } from '../../src/transports/transport-options.js';
import { type LiveTestServer, startLiveTestServer } from './live-test-server.js';
import type { TestStore } from './test-stores.js';

/** An in-process Herald on a fresh store of `testStore` (SQLite or PostgreSQL, usually). */
export interface StoreTestServer extends LiveTestServer {
  /** The store URL the server uses. */
  store: string;
}

/**
 * Starts Herald on a fresh store of `testStore`, with the server's default limits unless `config`
 * says otherwise (transport tuning as `startLiveTestServer`); `close()` closes the server, then deletes the store.
 */
export async function startStoreTestServer(
  testStore: TestStore,
  config: HeraldConfigInput = {},
  transports: Partial<TransportOptions> = {},
): Promise<StoreTestServer> {
  const opened = await testStore.open();
  try {
    const server = await startLiveTestServer({ ...config, store: opened.store }, transports);
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

/**
 * Like `startStoreTestServer`, with the publish rate unlimited unless `config.limits` sets it: for
 * suites that send many requests from one address to test something other than the rate limit.
 */
export function startUnthrottledStoreTestServer(
  testStore: TestStore,
  config: HeraldConfigInput = {},
): Promise<StoreTestServer> {
  return startStoreTestServer(testStore, { ...config, limits: { publishRatePerSecond: 0, ...config.limits } });
}
