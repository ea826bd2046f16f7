/**
 * A live feed's connection rules against a real server, as for stream subscriptions: the fallback
 * ladder (WebSocket → SSE → long-poll and back up, through a proxy that refuses wires), each event
 * delivered once in commit order across every switch; the watchdog that reads once when a live
 * push wire goes silent after an event; and offline, which stops every request.
 */
import type { FeedEvent } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionStatus, Feed, HeraldClient } from '../src/types.js';
import {
  createTestClient,
  type ProxiedHerald,
  publishDirect,
  sleep,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

const BATCH = { batchId: 'ladder' };

async function historyIds(serverUrl: string): Promise<string[]> {
  const response = await fetch(`${serverUrl}/v1/events?tag.batchId=ladder&limit=1000`);
  return ((await response.json()) as { events: { id: string }[] }).events.map((event) => event.id);
}

describe('a live feed on the client connection rules', () => {
  let herald: ProxiedHerald;
  let client: HeraldClient | undefined;
  let feed: Feed | undefined;

  beforeEach(async () => {
    herald = await startProxiedHerald();
  });
  afterEach(async () => {
    vi.unstubAllGlobals();
    feed?.close();
    client?.close();
    await herald.close();
  });

  it('falls back WebSocket → SSE → long-poll and climbs back up, delivering each event once in commit order', async () => {
    herald.proxy.refuseWebSocket = true;
    client = createTestClient(herald.proxy.url, { staleAfterMs: 1000, probeIntervalMs: 1000 });
    const delivered: FeedEvent[] = [];
    const statuses: ConnectionStatus[] = [];
    feed = client.follow({ tags: BATCH }, { onEvent: (event) => delivered.push(event) });
    feed.on('status', (status) => statuses.push(status));
    let isPublishing = true;
    const publishing = (async () => {
      for (let n = 1; isPublishing; n++) {
        await publishDirect(herald.serverUrl, `job:${n % 3}`, { type: 'tick', data: { n }, tags: BATCH });
        await publishDirect(herald.serverUrl, `job:${n % 3}`, {
          type: 'tick',
          data: { n },
          tags: { batchId: 'other' },
        });
        await sleep(40);
      }
    })();
    const current = feed;
    await waitUntil(() => current.status === 'live' && delivered.length > 2, 10_000, 'SSE');
    herald.proxy.refuseSse = true;
    herald.proxy.dropConnections();
    await waitUntil(() => current.status === 'polling', 15_000, 'long-poll');
    const countOnLongPoll = delivered.length;
    await waitUntil(() => delivered.length > countOnLongPoll + 2, 10_000, 'events on long-poll');
    herald.proxy.refuseWebSocket = false;
    herald.proxy.refuseSse = false;
    await waitUntil(() => current.status === 'live', 15_000, 'back on a push wire');
    isPublishing = false;
    await publishing;
    const expected = await historyIds(herald.serverUrl);
    await waitUntil(() => delivered.length >= expected.length, 10_000, 'every event');
    await sleep(200);
    expect(delivered.map((event) => event.id)).toEqual(expected);
    expect(statuses).toContain('polling');
    expect(statuses.at(-1)).toBe('live');
  });

  it('reads one page after its cursor when the live WebSocket goes silent right after an event, and drops the repeat', async () => {
    client = createTestClient(herald.proxy.url, { transports: ['websocket'], staleAfterMs: 500 });
    const delivered: FeedEvent[] = [];
    feed = client.follow({ tags: BATCH }, { onEvent: (event) => delivered.push(event) });
    const current = feed;
    await waitUntil(() => current.isCaughtUp, 10_000, 'the feed live');
    await publishDirect(herald.serverUrl, 'job:1', { type: 'tick', tags: BATCH });
    await waitUntil(() => delivered.length === 1, 10_000, 'the first event');
    // W1: the event armed the watchdog; the wire wedges before the next one.
    herald.proxy.stall();
    const pollsBefore = client.stats().polls;
    await publishDirect(herald.serverUrl, 'job:2', { type: 'tick', tags: BATCH });
    await waitUntil(() => delivered.length === 2, 10_000, 'the watchdog read');
    expect(client.stats().polls).toBeGreaterThan(pollsBefore);
    herald.proxy.resume();
    await waitUntil(() => client!.stats().duplicatesDropped >= 1, 10_000, 'the stalled frame');
    expect(delivered.map((event) => event.stream)).toEqual(['job:1', 'job:2']);
  });

  it('makes no request while offline and resumes from its cursor when back online', async () => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    const urls: string[] = [];
    const recordingFetch = (input: string, init?: RequestInit) => {
      urls.push(input);
      return fetch(input, init);
    };
    client = createTestClient(herald.proxy.url, { transports: ['longpoll'], fetch: recordingFetch });
    const delivered: FeedEvent[] = [];
    feed = client.follow({ tags: BATCH }, { onEvent: (event) => delivered.push(event) });
    const current = feed;
    await publishDirect(herald.serverUrl, 'job:1', { type: 'tick', tags: BATCH });
    await waitUntil(() => delivered.length === 1 && current.status === 'polling', 10_000, 'the first event');
    network.dispatchEvent(new Event('offline'));
    expect(current.status).toBe('offline');
    const requestsWhenOffline = urls.length;
    await publishDirect(herald.serverUrl, 'job:2', { type: 'tick', tags: BATCH });
    await sleep(1000);
    expect(urls).toHaveLength(requestsWhenOffline);
    expect(delivered).toHaveLength(1);
    network.dispatchEvent(new Event('online'));
    await waitUntil(() => delivered.length === 2, 10_000, 'the event published while offline');
    expect(delivered[1]!.stream).toBe('job:2');
  });
});
