import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { requestRawPath } from '../support/raw-http.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

/** Names no route may accept, as they appear in a URL path (already encoded where needed). */
const BAD_PATH_NAMES: [string, string][] = [
  ['a parent-directory segment', '..'],
  ['an encoded parent-directory segment', '%2E%2E'],
  ['an encoded slash', 'run%2F..%2Fadmin'],
  ['an encoded NUL', 'run%00x'],
  ['a 201-character name', `a${'b'.repeat(200)}`],
  ['a leading punctuation mark', '.hidden'],
];

describe.each(DURABLE_TEST_STORES)('traversal and oversized names on $name', (store) => {
  let server: StoreTestServer;
  beforeAll(async () => {
    server = await startStoreTestServer(store);
  });
  afterAll(() => server.close());

  describe.each(BAD_PATH_NAMES)('%s', (_label, name) => {
    it.each([
      ['GET /v1/streams/{name}', 'GET', (n: string) => `/v1/streams/${n}`],
      ['GET /v1/streams/{name}/events', 'GET', (n: string) => `/v1/streams/${n}/events`],
      ['POST /v1/streams/{name}/events', 'POST', (n: string) => `/v1/streams/${n}/events`],
      ['DELETE /v1/streams/{name}', 'DELETE', (n: string) => `/v1/streams/${n}`],
      ['GET /v1/events?stream=', 'GET', (n: string) => `/v1/events?stream=${n}`],
      ['GET /v1/sse?stream=', 'GET', (n: string) => `/v1/sse?stream=${n}`],
    ])('is refused by %s with 400 invalid_stream_name', async (_route, method, path) => {
      const response = await requestRawPath(server.url, path(name), {
        method,
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{"type":"x"}' } : {}),
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text).error.code).toBe('invalid_stream_name');
    });

    it('is refused by WebSocket sub and pub with an invalid_stream_name error frame', async () => {
      const decoded = decodeURIComponent(name);
      const client = await WsTestClient.open(server.url);
      try {
        const sub = await client.reply(client.send({ op: 'sub', stream: decoded }));
        expect(sub).toMatchObject({ op: 'error', code: 'invalid_stream_name' });
        const pub = await client.reply(client.send({ op: 'pub', stream: decoded, event: { type: 'x' } }));
        expect(pub).toMatchObject({ op: 'error', code: 'invalid_stream_name' });
      } finally {
        client.close();
      }
    });
  });

  it('creates no stream from any refused name', async () => {
    const list = await requestJson<{ streams: unknown[] }>(`${server.url}/v1/streams`);
    expect(list.body.streams).toEqual([]);
  });
});
