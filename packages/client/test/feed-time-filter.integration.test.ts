/**
 * `client.follow` takes `since`/`until` in its filter on every transport alike (the WebSocket
 * `follow` as the HTTP wires' parameters): only events in the time range, catch-up and live.
 */
import type { FeedEvent } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { TRANSPORT_ORDER } from '../src/types.js';
import { publishDirect, sleep, useFollowHarness, waitUntil } from './support/live-herald.js';

describe.each(TRANSPORT_ORDER)('follow with since/until on %s', (transport) => {
  const harness = useFollowHarness({ transports: [transport], staleAfterMs: 500 });

  it('delivers only the events at or after since, catch-up and live', async () => {
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'before', type: 'tick' });
    await sleep(20);
    const since = new Date().toISOString();
    await sleep(20);
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'after', type: 'tick' });
    const delivered: FeedEvent[] = [];
    harness.feed = harness.client.follow({ prefix: 'run:', since }, { onEvent: (event) => delivered.push(event) });
    const current = harness.feed;
    await waitUntil(() => current.isCaughtUp || delivered.length > 0, 10_000, 'catch-up');
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'live', type: 'tick' });
    await waitUntil(() => delivered.length >= 2, 10_000, 'the live event');
    expect(delivered.map((event) => event.id)).toEqual(['after', 'live']);
  });

  it('delivers only the events before until', async () => {
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'early', type: 'tick' });
    await sleep(20);
    const until = new Date().toISOString();
    await sleep(20);
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'late', type: 'tick' });
    const delivered: FeedEvent[] = [];
    harness.feed = harness.client.follow({ prefix: 'run:', until }, { onEvent: (event) => delivered.push(event) });
    await waitUntil(() => delivered.length >= 1, 10_000, 'the early event');
    await publishDirect(harness.herald.serverUrl, 'run:1', { id: 'later', type: 'tick' });
    await sleep(1_000);
    expect(delivered.map((event) => event.id)).toEqual(['early']);
  });
});
