import type { EventsPage } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { PUBLISH_WAYS, publishVia } from '../support/publish-ways.js';
import { type StoreTestServer, startUnthrottledStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

describe.each(DURABLE_TEST_STORES)('a reused idempotency id on $name', (testStore) => {
  let server: StoreTestServer;
  let ws: WsTestClient;
  beforeAll(async () => {
    server = await startUnthrottledStoreTestServer(testStore);
    ws = await WsTestClient.open(server.url);
  });
  afterAll(async () => {
    ws.close();
    await server.close();
  });
  const target = () => ({ url: server.url, ws, herald: server.herald });

  const pageOf = async (stream: string) =>
    (await requestJson<EventsPage>(`${server.url}/v1/streams/${stream}/events`)).body;

  it.each(PUBLISH_WAYS)('answers a different event under a used id with id_conflict via %s', async (way) => {
    const stream = `run:conflict-${way.replaceAll(' ', '-')}`;
    const original = '{"type":"step","id":"e1","data":{"a":1,"b":[1,2]},"state":{"s":1},"tags":{"k":"v"}}';
    expect((await publishVia(way, target(), stream, original)).code).toBe('ok');

    const reordered = '{"tags":{"k":"v"},"state":{"s":1},"data":{"b":[1,2],"a":1},"id":"e1","type":"step"}';
    expect(await publishVia(way, target(), stream, reordered)).toMatchObject({
      code: 'ok',
      ...(way.startsWith('http') ? { status: 200 } : {}),
    });
    for (const changed of [
      '{"type":"other","id":"e1","data":{"a":1,"b":[1,2]},"state":{"s":1},"tags":{"k":"v"}}',
      '{"type":"step","id":"e1","data":{"a":1,"b":[2,1]},"state":{"s":1},"tags":{"k":"v"}}',
      '{"type":"step","id":"e1","data":{"a":1,"b":[1,2]},"state":{"s":2},"tags":{"k":"v"}}',
      '{"type":"step","id":"e1","data":{"a":1,"b":[1,2]},"state":{"s":1}}',
      '{"type":"step","id":"e1","data":{"a":1,"b":[1,2]},"state":{"s":1},"tags":{"k":"v"},"final":true}',
    ]) {
      const answer = await publishVia(way, target(), stream, changed);
      expect(answer).toMatchObject({ code: 'id_conflict', ...(way.startsWith('http') ? { status: 409 } : {}) });
    }
    const page = await pageOf(stream);
    expect(page.events.map((event) => [event.seq, event.id, event.type])).toEqual([[1, 'e1', 'step']]);
    expect(page).toMatchObject({ seq: 1, final: false });
  });

  it('refuses a whole batch holding one conflicting repeat, and a batch reusing an id for two events', async () => {
    await requestJson(`${server.url}/v1/streams/run:batch/events`, { body: { type: 'step', id: 'b1', data: 1 } });
    const conflicting = await requestJson<{ error: { code: string } }>(`${server.url}/v1/streams/run:batch/events`, {
      body: {
        events: [
          { type: 'step', id: 'b2' },
          { type: 'step', id: 'b1', data: 2 },
        ],
      },
    });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.error.code).toBe('id_conflict');
    const twice = await requestJson<{ error: { code: string } }>(`${server.url}/v1/events`, {
      body: {
        events: [
          { stream: 'run:other', type: 'step' },
          { stream: 'run:batch', type: 'step', id: 'b3', data: 1 },
          { stream: 'run:batch', type: 'step', id: 'b3', data: 2 },
        ],
      },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('id_conflict');
    expect((await pageOf('run:batch')).events.map((event) => event.id)).toEqual(['b1']);
    expect((await pageOf('run:other')).seq).toBe(0);
  });
});
