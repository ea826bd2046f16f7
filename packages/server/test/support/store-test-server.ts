import { createHerald, type Herald, type HeraldConfigInput, type HeraldOptions } from '@herald/server';
import type { TestStore } from './test-stores.js';

/** A Herald on an ephemeral 127.0.0.1 port over a fresh store of one of the test stores. */
export interface StoreTestServer {
  url: string;
  herald: Herald;
  /** Closes the server, then deletes its store. */
  close(): Promise<void>;
}

/** Starts Herald (silent logs) over a fresh store opened from `store`. */
export async function startStoreTestServer(
  store: TestStore,
  config: HeraldConfigInput = {},
  options: HeraldOptions = {},
): Promise<StoreTestServer> {
  const opened = await store.open();
  const herald = await createHerald(
    { host: '127.0.0.1', port: 0, logLevel: 'silent', ...config, store: opened.store },
    options,
  );
  const url = await herald.listen();
  return {
    url,
    herald,
    async close() {
      await herald.close();
      await opened.cleanup();
    },
  };
}
