import { afterEach, describe, expect, it } from 'vitest';
import { NginxProcess } from '../scale-out/support/nginx-process.js';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';

/** A different forged client address for each request, as an attacker dodging per-IP limits sends. */
const forgedAddress = (n: number) => `198.51.100.${n + 1}`;

describe.each(DURABLE_TEST_STORES)(
  'forged X-Forwarded-For behind deploy/nginx.conf on $name (issue 12 item 5)',
  (store) => {
    let server: StoreTestServer | undefined;
    let nginx: NginxProcess | undefined;
    afterEach(async () => {
      await nginx?.close();
      await server?.close();
      nginx = undefined;
      server = undefined;
    });

    async function startBehindNginx(limits: {
      publishRatePerSecond?: number;
      publishBurst?: number;
      maxConnectionsPerIp?: number;
    }) {
      server = await startStoreTestServer(store, { trustProxy: true, limits });
      nginx = await NginxProcess.start([server.url]);
      return nginx.url;
    }

    it('does not lift the publish rate limit', async () => {
      const url = await startBehindNginx({ publishRatePerSecond: 1, publishBurst: 2 });
      const statuses: number[] = [];
      for (let n = 0; n < 5; n++) {
        const response = await requestJson(`${url}/v1/streams/run:forged/events`, {
          body: { type: 'tick' },
          headers: { 'x-forwarded-for': forgedAddress(n) },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([201, 201, 429, 429, 429]);
    });

    it('does not lift the connection limit', async () => {
      const url = await startBehindNginx({ maxConnectionsPerIp: 2 });
      const controller = new AbortController();
      try {
        const open = (n: number) =>
          fetch(`${url}/v1/streams/run:conn/events`, {
            headers: { accept: 'text/event-stream', 'x-forwarded-for': forgedAddress(n) },
            signal: controller.signal,
          });
        const held = [await open(0), await open(1)];
        expect(held.map((response) => response.status)).toEqual([200, 200]);
        const refused = await open(2);
        expect(refused.status).toBe(429);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_connections');
      } finally {
        controller.abort();
      }
    });
  },
);
