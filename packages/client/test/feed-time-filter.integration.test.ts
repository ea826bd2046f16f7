/**
 * `client.follow` takes `since`/`until` in its filter on every transport alike (the WebSocket
 * `follow` as the HTTP wires' parameters): only events in the time range, catch-up and live.
 */
import type { FeedEvent } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Feed, HeraldClient } from '../src/types.js';
import { TRANSPORT_ORDER } from '../src/types.js';
import {
  createTestClient,
  type ProxiedHerald,
  publishDirect,
  sleep,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

describe.each(TRANSPORT_ORDER)('follow with since/until on %s', (transport) => {
  let herald: ProxiedHerald;
  let client: HeraldClient;
  let feed: Feed | undefined;

  beforeEach(async () => {
    herald = await startProxiedHerald();
    client = createTestClient(herald.proxy.url, { transports: [transport], staleAfterMs: 500 });
  });
  afterEach(async () => {
    feed?.close();
    client.close();
    await herald.close();
  });

  it('delivers only the events at or after since, catch-up and live', async () => {
    await publishDirect(herald.serverUrl, 'run:1', { id: 'before', type: 'tick' });
    await sleep(20);
    const since = new Date().toISOString();
    await sleep(20);
    await publishDirect(herald.serverUrl, 'run:1', { id: 'after', type: 'tick' });
    const delivered: FeedEvent[] = [];
    feed = client.follow({ prefix: 'run:', since }, { onEvent: (event) => delivered.push(event) });
    const current = feed;
    await waitUntil(() => current.isCaughtUp || delivered.length > 0, 10_000, 'catch-up');
    await publishDirect(herald.serverUrl, 'run:1', { id: 'live', type: 'tick' });
    await waitUntil(() => delivered.length >= 2, 10_000, 'the live event');
    expect(delivered.map((event) => event.id)).toEqual(['after', 'live']);
  });

  it('delivers only the events before until', async () => {
    await publishDirect(herald.serverUrl, 'run:1', { id: 'early', type: 'tick' });
    await sleep(20);
    const until = new Date().toISOString();
    await sleep(20);
    await publishDirect(herald.serverUrl, 'run:1', { id: 'late', type: 'tick' });
    const delivered: FeedEvent[] = [];
    feed = client.follow({ prefix: 'run:', until }, { onEvent: (event) => delivered.push(event) });
    await waitUntil(() => delivered.length >= 1, 10_000, 'the early event');
    await publishDirect(herald.serverUrl, 'run:1', { id: 'later', type: 'tick' });
    await sleep(1_000);
    expect(delivered.map((event) => event.id)).toEqual(['early']);
  });
});
