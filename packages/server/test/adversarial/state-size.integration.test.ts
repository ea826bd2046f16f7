import type { EventsPage, StreamSnapshot } from '@herald/protocol';
import { resolveConfig } from '@herald/server';
import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorAnswer = { error: { code: string; details?: unknown } };

const KEY_BYTES = 60 * 1024;
const chunk = (fill: string) => fill.repeat(KEY_BYTES);

describe.each(DURABLE_TEST_STORES)('the state size limit on $name', (testStore) => {
  let server: StoreTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses, with 413 state_too_large, the publish that would take the state past 1 MiB by default', async () => {
    server = await startUnthrottledStoreTestServer(testStore);
    const url = `${server.url}/v1/streams/run:big/events`;
    // 17 keys of 60 KiB stay under 1 MiB; the 18th would not.
    for (let i = 0; i < 17; i++) {
      const answer = await requestJson(url, { body: { type: 'grow', state: { [`k${i}`]: chunk('a') } } });
      expect(answer.status).toBe(201);
    }
    const refused = await requestJson<ErrorAnswer>(url, { body: { type: 'grow', state: { k17: chunk('a') } } });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('state_too_large');
    expect(refused.body.error.details).toMatchObject({ stream: 'run:big', limit: 1024 * 1024 });

    // Nothing of the refused publish is stored; shrinking and replacing still work.
    const snapshot = await requestJson<StreamSnapshot>(`${server.url}/v1/streams/run:big`);
    expect(snapshot.body.seq).toBe(17);
    expect(Object.keys(snapshot.body.state as object)).toHaveLength(17);
    const replaced = await requestJson(url, { body: { type: 'shrink', state: { k0: null, k1: chunk('b') } } });
    expect(replaced.status).toBe(201);
  });

  it('refuses a whole atomic batch whose final state is too large, on HTTP and WebSocket alike', async () => {
    server = await startUnthrottledStoreTestServer(testStore, { limits: { maxStateBytes: 100_000 } });
    const events = [0, 1].map((i) => ({ type: 'grow', state: { [`k${i}`]: chunk('c') } }));
    const batch = await requestJson<ErrorAnswer>(`${server.url}/v1/events`, {
      body: { events: [{ stream: 'run:other', type: 'x' }, ...events.map((event) => ({ stream: 'run:b', ...event }))] },
    });
    expect(batch.status).toBe(413);
    expect(batch.body.error.code).toBe('state_too_large');
    expect((await requestJson<EventsPage>(`${server.url}/v1/streams/run:other/events`)).body.seq).toBe(0);
    expect((await requestJson<EventsPage>(`${server.url}/v1/streams/run:b/events`)).body.seq).toBe(0);

    // Growing then shrinking within one batch is fine: only the state that would be stored counts.
    const shrunk = await requestJson(`${server.url}/v1/streams/run:b/events`, {
      body: { events: [...events, { type: 'shrink', state: { k0: null } }] },
    });
    expect(shrunk.status).toBe(201);

    const ws = await WsTestClient.open(server.url);
    try {
      const ref = ws.send({ op: 'pub', stream: 'run:b', event: { type: 'grow', state: { k2: chunk('d') } } });
      expect(await ws.reply(ref)).toMatchObject({ op: 'error', code: 'state_too_large', stream: 'run:b' });
    } finally {
      ws.close();
    }
  });

  it('reads the limit from HERALD_MAX_STATE_BYTES and --max-state-bytes', async () => {
    expect(resolveConfig().limits.maxStateBytes).toBe(1024 * 1024);
    expect(resolveConfig({ env: { HERALD_MAX_STATE_BYTES: '2048' } }).limits.maxStateBytes).toBe(2048);
    const config = resolveConfig({ env: { HERALD_MAX_STATE_BYTES: '2048' }, argv: ['--max-state-bytes', '4096'] });
    server = await startUnthrottledStoreTestServer(testStore, { limits: config.limits });
    const url = `${server.url}/v1/streams/run:small/events`;
    expect((await requestJson(url, { body: { type: 'x', state: { a: 'x'.repeat(4000) } } })).status).toBe(201);
    const refused = await requestJson<ErrorAnswer>(url, { body: { type: 'x', state: { b: 'x'.repeat(200) } } });
    expect(refused.body.error.code).toBe('state_too_large');
  });
});
