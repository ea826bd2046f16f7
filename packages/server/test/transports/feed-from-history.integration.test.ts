/**
 * A client that paged the history to its end follows the same filter live from the last page's
 * `endCursor` (docs/protocol.md "Live feed"): every matching event committed after the page
 * arrives once, none before it does (G1 no gap, G2 no duplicate), over long-poll and WebSocket.
 */
import type { FeedEvent, HistoryPage } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

describe.each(TEST_STORES)('following live from the end of a history page on $name', (testStore) => {
  let server: StoreTestServer;
  beforeAll(async () => {
    server = await startStoreTestServer(testStore);
  });
  afterAll(async () => {
    await server.close();
  });

  const publish = async (stream: string, type: string) => {
    const answer = await requestJson(`${server.url}/v1/streams/${stream}/events`, { body: { type } });
    expect(answer.status).toBe(201);
  };

  /** Pages `filter` to its end, two events a page; resolves the types read and the last page's endCursor. */
  async function pageToEnd(filter: string): Promise<{ types: string[]; endCursor: string }> {
    const types: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const query = `${filter}&limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`;
      const page = await requestJson<HistoryPage>(`${server.url}/v1/events?${query}`);
      expect(page.status).toBe(200);
      types.push(...page.body.events.map((event) => event.type));
      if (page.body.nextCursor === undefined) return { types, endCursor: page.body.endCursor! };
      expect(page.body.endCursor).toBe(page.body.nextCursor);
      cursor = page.body.nextCursor;
    }
  }

  it('delivers exactly the matching events committed after the last page, over long-poll and WebSocket', async () => {
    for (const type of ['h1', 'h2', 'h3']) await publish('run:paged', type);
    await publish('run:other', 'x1');
    const { types, endCursor } = await pageToEnd('stream=run:paged');
    expect(types).toEqual(['h1', 'h2', 'h3']);
    expect(endCursor).toEqual(expect.any(String));

    // Published after the page was read: one not matching, two matching.
    await publish('run:other', 'x2');
    await publish('run:paged', 'l1');
    await publish('run:paged', 'l2');

    const polled = await requestJson<{ events: FeedEvent[] }>(
      `${server.url}/v1/events?stream=run:paged&cursor=${endCursor}&wait=1`,
    );
    expect(polled.body.events.map((event) => event.type)).toEqual(['l1', 'l2']);

    const ws = await WsTestClient.open(server.url);
    try {
      const ref = ws.send({ op: 'follow', feed: 'f', filter: { stream: 'run:paged' }, cursor: endCursor });
      expect(await ws.reply(ref)).toMatchObject({ op: 'following' });
      await ws.waitFor((frame) => frame.op === 'feed_live');
      const delivered = ws.frames.flatMap((frame) => (frame.op === 'feed_event' ? [frame.event.type] : []));
      expect(delivered).toEqual(['l1', 'l2']);
    } finally {
      ws.close();
    }
  });
});
