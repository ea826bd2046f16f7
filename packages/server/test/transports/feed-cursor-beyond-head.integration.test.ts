/**
 * A feed cursor beyond the log's head (a cursor of another deployment, or of a database since
 * restored or wiped) is refused with `400 invalid_request` naming `cursor` on every feed wire,
 * instead of being followed silently until the log catches up with it. A cursor at the head, also
 * one whose events retention or a delete removed since, stays valid.
 */
import type { ServerFrame } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestRefusedSse } from '../support/refused-request.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES, TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorFrame = Extract<ServerFrame, { op: 'error' }>;

/** A well-formed history cursor at `position`, as this server encodes them. */
const cursorAt = (position: number) => Buffer.from(JSON.stringify({ h: position })).toString('base64url');

const STORES = [...TEST_STORES, ...DURABLE_TEST_STORES.filter((store) => store.name === 'postgres')];

describe.each(STORES)('a feed cursor beyond the head on $name', (testStore) => {
  let server: StoreTestServer;
  const beyond = cursorAt(1_000_000);

  beforeAll(async () => {
    server = await startStoreTestServer(testStore);
    await server.publishTicks('run:1', 3);
  });
  afterAll(async () => {
    await server.close();
  });

  async function readRefusal(query: string): Promise<{ status: number; code: string; path: unknown }> {
    const response = await fetch(`${server.url}/v1/events?${query}`);
    const body = (await response.json()) as { error: { code: string; details?: { path?: unknown } } };
    return { status: response.status, code: body.error.code, path: body.error.details?.path };
  }

  it('refuses a history page with 400 invalid_request naming cursor, in either order', async () => {
    const refusal = { status: 400, code: 'invalid_request', path: 'cursor' };
    expect(await readRefusal(`prefix=run:&cursor=${beyond}`)).toEqual(refusal);
    expect(await readRefusal(`prefix=run:&order=desc&cursor=${beyond}`)).toEqual(refusal);
  });

  it('refuses a long-poll at once with 400 invalid_request naming cursor', async () => {
    const startedAt = Date.now();
    expect(await readRefusal(`prefix=run:&wait=5&cursor=${beyond}`)).toEqual({
      status: 400,
      code: 'invalid_request',
      path: 'cursor',
    });
    expect(Date.now() - startedAt).toBeLessThan(4_000);
  });

  it('refuses SSE (cursor or Last-Event-ID) before the stream starts', async () => {
    for (const [query, headers] of [
      [`prefix=run:&cursor=${beyond}`, {}],
      ['prefix=run:', { 'last-event-id': beyond }],
    ] as const) {
      const refusal = await requestRefusedSse(`${server.url}/v1/events?${query}`, headers);
      expect(refusal.status).toBe(400);
      expect(refusal.error).toMatchObject({ code: 'invalid_request', details: { path: 'cursor' } });
    }
  });

  it('answers a WebSocket follow with an error naming the feed and ref, before following', async () => {
    const client = await WsTestClient.open(server.url);
    const ref = client.send({ op: 'follow', feed: 'runs', filter: { prefix: 'run:' }, cursor: beyond });
    const error = (await client.reply(ref)) as ErrorFrame;
    expect(error).toMatchObject({ op: 'error', ref, feed: 'runs', code: 'invalid_request' });
    expect(error.message).toContain('cursor');
    expect(client.frames.some((frame) => frame.op === 'following')).toBe(false);
    client.socket.close();
  });

  it('still follows from the head, also once the events at the head were deleted', async () => {
    const page = (await (await fetch(`${server.url}/v1/events?prefix=run:`)).json()) as {
      events: unknown[];
    };
    expect(page.events).toHaveLength(3);
    const headResponse = await fetch(`${server.url}/v1/events?prefix=run:&wait=0`);
    const { nextCursor } = (await headResponse.json()) as { nextCursor: string };
    await server.herald.context.log.deleteStream('run:1');
    const atHead = await fetch(`${server.url}/v1/events?prefix=run:&wait=0&cursor=${nextCursor}`);
    expect(atHead.status).toBe(200);
    expect(await atHead.json()).toEqual({ events: [], nextCursor });
  });
});
