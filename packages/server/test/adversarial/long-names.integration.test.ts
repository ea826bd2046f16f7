import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

/** A valid name of the longest allowed length (200), with every punctuation a name may hold. */
const LONG_NAME = `A${'run:u@n.x-y_'.repeat(17)}`.slice(0, 200);

describe.each(DURABLE_TEST_STORES)('200-character stream names on every route on $name (issue 12 item 10)', (store) => {
  let server: StoreTestServer;
  const encoded = encodeURIComponent(LONG_NAME);
  beforeAll(async () => {
    server = await startStoreTestServer(store);
    expect(LONG_NAME).toHaveLength(200);
    expect(encoded.length).toBeGreaterThan(200);
  });
  afterAll(() => server.close());

  it.each([
    ['percent-encoded', encoded],
    ['raw', LONG_NAME],
  ])('publishes to a %s long name', async (_label, pathName) => {
    const response = await requestJson<{ stream: string }>(`${server.url}/v1/streams/${pathName}/events`, {
      body: { type: 'tick' },
    });
    expect(response.status).toBe(201);
    expect(response.body.stream).toBe(LONG_NAME);
  });

  it('publishes to it in a cross-stream batch', async () => {
    const response = await requestJson(`${server.url}/v1/events`, {
      body: { events: [{ stream: LONG_NAME, type: 'tick' }] },
    });
    expect(response.status).toBe(201);
  });

  it('reads its snapshot, events page, long-poll, stream list and history', async () => {
    const snapshot = await requestJson<{ stream: string; seq: number }>(`${server.url}/v1/streams/${encoded}`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.body).toMatchObject({ stream: LONG_NAME });
    const page = await requestJson<{ events: unknown[] }>(`${server.url}/v1/streams/${encoded}/events`);
    expect(page.status).toBe(200);
    expect(page.body.events.length).toBeGreaterThan(0);
    const longPoll = await requestJson(`${server.url}/v1/streams/${encoded}/events?after=0&wait=1`);
    expect(longPoll.status).toBe(200);
    const list = await requestJson<{ streams: { stream: string }[] }>(`${server.url}/v1/streams?prefix=${encoded}`);
    expect(list.body.streams.map((entry) => entry.stream)).toEqual([LONG_NAME]);
    const history = await requestJson<{ events: unknown[] }>(`${server.url}/v1/events?stream=${encoded}`);
    expect(history.status).toBe(200);
    expect(history.body.events.length).toBeGreaterThan(0);
  });

  it.each([
    ['single-stream SSE', () => `/v1/streams/${encodeURIComponent(LONG_NAME)}/events`],
    ['multi-stream SSE', () => `/v1/sse?stream=${encodeURIComponent(LONG_NAME)}`],
  ])('streams it over %s', async (_label, path) => {
    const client = await SseTestClient.open(`${server.url}${path()}`);
    try {
      expect(client.status).toBe(200);
      await client.waitUntil(() => client.seqs(LONG_NAME).length > 0);
    } finally {
      client.close();
    }
  });

  it('watches it in a stream list watch', async () => {
    const client = await SseTestClient.open(`${server.url}/v1/streams?prefix=${encoded}&watch=1`);
    try {
      expect(client.status).toBe(200);
      await client.waitUntil(() => client.named('live').length === 1);
      expect(client.messages.some((message) => message.data.includes(`"stream":"${LONG_NAME}"`))).toBe(true);
    } finally {
      client.close();
    }
  });

  it('subscribes and publishes to it over WebSocket', async () => {
    const client = await WsTestClient.open(server.url);
    try {
      const subscribed = await client.reply(client.send({ op: 'sub', stream: LONG_NAME }));
      expect(subscribed).toMatchObject({ op: 'subscribed', stream: LONG_NAME });
      const ack = await client.reply(client.send({ op: 'pub', stream: LONG_NAME, event: { type: 'tick' } }));
      expect(ack).toMatchObject({ op: 'ack', stream: LONG_NAME });
    } finally {
      client.close();
    }
  });

  it('deletes it (last, so the other cases read a stream with events)', async () => {
    const response = await requestJson<{ deleted: boolean }>(`${server.url}/v1/streams/${encoded}`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(200);
    expect(response.body.deleted).toBe(true);
  });
});
