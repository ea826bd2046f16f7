/**
 * `client.follow` on each transport alone, against a real server (docs/protocol.md "Live feed"):
 * the feed delivers exactly the matching events across streams, in the server's commit order,
 * once, from history into live, and resumes from its cursor across dropped connections.
 */
import type { FeedEvent } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_ORDER } from '../src/types.js';
import { publishDirect, useFollowHarness, waitUntil } from './support/live-herald.js';

const EXPECTED_STATUS = { websocket: 'live', sse: 'live', longpoll: 'polling', poll: 'polling' } as const;

/** Every event of batch `b1`, in commit order, as the history query lists it. */
async function historyOfBatch(serverUrl: string): Promise<string[]> {
  const response = await fetch(`${serverUrl}/v1/events?tag.batchId=b1&limit=1000`);
  const page = (await response.json()) as { events: { id: string }[] };
  return page.events.map((event) => event.id);
}

describe.each(TRANSPORT_ORDER)('follow on %s alone', (transport) => {
  const harness = useFollowHarness({ transports: [transport], staleAfterMs: 500 });

  const publish = (stream: string, batchId: string, n: number) =>
    publishDirect(harness.herald.serverUrl, stream, { type: 'tick', data: { n }, tags: { batchId } });

  it('delivers the matching history, then live matching events, across streams, in commit order, once', async () => {
    for (let n = 1; n <= 3; n++) {
      await publish(`job:a`, 'b1', n);
      await publish(`job:b`, 'b2', n);
    }
    const delivered: FeedEvent[] = [];
    harness.feed = harness.client.follow({ tags: { batchId: 'b1' } }, { onEvent: (event) => delivered.push(event) });
    await waitUntil(() => delivered.length === 3 && harness.feed!.isCaughtUp, 10_000, 'the history');
    expect(harness.feed.status).toBe(EXPECTED_STATUS[transport]);
    for (let n = 4; n <= 6; n++) {
      await publish(`job:c`, 'b1', n);
      await publish(`job:b`, 'b2', n);
      await publish(`job:a`, 'b1', n);
    }
    await waitUntil(() => delivered.length >= 9, 10_000, 'the live events');
    expect(delivered.map((event) => event.id)).toEqual(await historyOfBatch(harness.herald.serverUrl));
    expect(delivered.every((event) => event.tags?.batchId === 'b1')).toBe(true);
    expect(harness.feed.cursor).toBe(delivered.at(-1)!.cursor);
  });

  it('resumes from its cursor across dropped connections with no event lost or repeated', async () => {
    const delivered: FeedEvent[] = [];
    harness.feed = harness.client.follow({ prefix: 'job:' }, { onEvent: (event) => delivered.push(event) });
    await publish('job:x', 'b1', 1);
    await waitUntil(() => delivered.length === 1, 10_000, 'the first event');
    harness.herald.proxy.dropConnections();
    await publish('job:y', 'b1', 2);
    harness.herald.proxy.dropConnections();
    await publish('job:x', 'b1', 3);
    await waitUntil(() => delivered.length >= 3, 15_000, 'every event');
    expect(delivered.map((event) => (event.data as { n: number }).n)).toEqual([1, 2, 3]);
  });

  it('starts after a given cursor', async () => {
    await publish('job:a', 'b1', 1);
    await publish('job:a', 'b1', 2);
    const first = await harness.client.queryEvents({ tags: { batchId: 'b1' }, limit: 1 });
    const delivered: FeedEvent[] = [];
    harness.feed = harness.client.follow(
      { tags: { batchId: 'b1' } },
      { cursor: first.nextCursor!, onEvent: (e) => delivered.push(e) },
    );
    await waitUntil(() => harness.feed!.isCaughtUp, 10_000, 'the catch-up');
    expect(delivered.map((event) => (event.data as { n: number }).n)).toEqual([2]);
  });
});
