import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NginxProcess } from '../scale-out/support/nginx-process.js';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';

const API_KEY = 'shared-cache-api-key';

/**
 * A shared cache in front of one Herald: nginx `proxy_cache` honouring the upstream's
 * Cache-Control, keyed by URL only (as a CDN is), and telling whether it answered from the cache.
 */
function cachingProxyConf(nodePort: number) {
  return (port: number, prefix: string) => `
worker_processes 1;
pid nginx.pid;
error_log logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path temp/client_body;
  proxy_temp_path temp/proxy;
  fastcgi_temp_path temp/fastcgi;
  uwsgi_temp_path temp/uwsgi;
  scgi_temp_path temp/scgi;
  proxy_cache_path ${prefix}/cache keys_zone=herald:1m;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://127.0.0.1:${nodePort};
      proxy_http_version 1.1;
      proxy_cache herald;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

interface Page {
  epoch: string;
  events: { type: string }[];
}

describe.each(DURABLE_TEST_STORES)('a shared cache in front of Herald on $name (issue 12 item 4)', (store) => {
  describe('when reads need a token', () => {
    let server: StoreTestServer;
    let nginx: NginxProcess;
    beforeAll(async () => {
      server = await startStoreTestServer(store, { apiKey: API_KEY, jwt: { secret: TEST_JWT_SECRET } });
      nginx = await NginxProcess.startWithConf(cachingProxyConf(Number(new URL(server.url).port)));
    });
    afterAll(async () => {
      await nginx.close();
      await server.close();
    });

    it('never serves a settled page read with a token to a request without one', async () => {
      const published = await requestJson<{ epoch: string }>(`${server.url}/v1/streams/run:secret/events`, {
        body: { events: [{ type: 'a' }, { type: 'b' }, { type: 'c' }] },
        token: API_KEY,
      });
      const token = await signTestToken({ read: ['run:*'] });
      const pageUrl = `${nginx.url}/v1/streams/run:secret/events?after=0&limit=1&epoch=${published.body.epoch}`;
      const withToken = await requestJson(pageUrl, { token });
      expect(withToken.status).toBe(200);
      expect(withToken.headers.get('cache-control')).not.toMatch(/public/);
      expect(withToken.headers.get('cache-control')).toMatch(/private/);
      const anonymous = await requestJson<{ error: { code: string } }>(pageUrl);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
    });
  });

  describe('when reads are open', () => {
    let server: StoreTestServer;
    let nginx: NginxProcess;
    beforeAll(async () => {
      server = await startStoreTestServer(store);
      nginx = await NginxProcess.startWithConf(cachingProxyConf(Number(new URL(server.url).port)));
    });
    afterAll(async () => {
      await nginx.close();
      await server.close();
    });

    const publish = (stream: string, types: string[]) =>
      requestJson<{ epoch: string }>(`${server.url}/v1/streams/${stream}/events`, {
        body: { events: types.map((type) => ({ type })) },
      });

    it('never serves a deleted and recreated stream stale under the same URL', async () => {
      await publish('run:recreated', ['old-1', 'old-2', 'old-3']);
      const pageUrl = `${nginx.url}/v1/streams/run:recreated/events?after=0&limit=1`;
      const before = await requestJson<Page>(pageUrl);
      expect(before.body.events.map((event) => event.type)).toEqual(['old-1']);
      await requestJson(`${server.url}/v1/streams/run:recreated`, { method: 'DELETE' });
      const recreated = await publish('run:recreated', ['new-1', 'new-2', 'new-3']);
      const after = await requestJson<Page>(pageUrl);
      expect(after.body.epoch).toBe(recreated.body.epoch);
      expect(after.body.events.map((event) => event.type)).toEqual(['new-1']);
    });

    it('keeps an epoch-pinned settled page briefly and never for a year or as immutable', async () => {
      const { epoch } = (await publish('run:pinned', ['a', 'b', 'c'])).body;
      const pageUrl = `${nginx.url}/v1/streams/run:pinned/events?after=0&limit=1&epoch=${epoch}`;
      const first = await requestJson<Page>(pageUrl);
      const cacheControl = first.headers.get('cache-control') ?? '';
      expect(cacheControl).not.toMatch(/immutable/);
      const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
      expect(maxAge).toBeLessThanOrEqual(60);
      // The cache absorbs repeats (a catch-up storm) while it may keep the page.
      const second = await requestJson<Page>(pageUrl);
      expect(second.headers.get('x-cache-status')).toBe('HIT');
      expect(second.body).toEqual(first.body);
    });

    it('does not cache the page at the head, whose head fields move', async () => {
      const { epoch } = (await publish('run:head', ['a'])).body;
      const pageUrl = `${nginx.url}/v1/streams/run:head/events?after=0&epoch=${epoch}`;
      await requestJson(pageUrl);
      await publish('run:head', ['b']);
      const after = await requestJson<{ seq: number; events: unknown[] }>(pageUrl);
      expect(after.headers.get('x-cache-status')).not.toBe('HIT');
      expect(after.body.seq).toBe(2);
      expect(after.body.events).toHaveLength(2);
    });
  });
});
