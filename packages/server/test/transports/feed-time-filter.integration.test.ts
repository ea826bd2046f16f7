/**
 * `since`/`until` filter a live feed on every wire alike (docs/protocol.md "Live feed"): the
 * WebSocket `follow` takes them in its filter as the HTTP wires take them as parameters, catch-up
 * and live events both, and refuses a time that is not an ISO 8601 date-time with a zone.
 */
import type { ServerFrame } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

type ErrorFrame = Extract<ServerFrame, { op: 'error' }>;
type FeedEventFrame = Extract<ServerFrame, { op: 'feed_event' }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a feed filtered by time', () => {
  let server: LiveTestServer;
  /** The times of the three events published first, in order. */
  let times: string[];

  beforeAll(async () => {
    server = await startLiveTestServer();
    for (let n = 1; n <= 3; n++) {
      await server.publish('t:1', [{ id: `e${n}`, type: 'tick' }]);
      await sleep(5);
    }
    const page = (await (await fetch(`${server.url}/v1/events?prefix=t:`)).json()) as { events: { time: string }[] };
    times = page.events.map((event) => event.time);
  });
  afterAll(async () => {
    await server.close();
  });

  async function followIds(
    filter: Record<string, unknown>,
    feed: string,
  ): Promise<{ client: WsTestClient; ids: () => string[] }> {
    const client = await WsTestClient.open(server.url);
    client.send({ op: 'follow', feed, filter });
    await client.waitFor((frame) => frame.op === 'feed_live' && frame.feed === feed);
    const ids = () =>
      client.frames
        .filter((frame): frame is FeedEventFrame => frame.op === 'feed_event' && frame.feed === feed)
        .map((frame) => (frame.event as { id: string }).id);
    return { client, ids };
  }

  it('follows from `since` on: the events at or after it, then live events', async () => {
    const { client, ids } = await followIds({ prefix: 't:', since: times[1] }, 'since');
    expect(ids()).toEqual(['e2', 'e3']);
    await server.publish('t:1', [{ id: 'live-since', type: 'tick' }]);
    await client.waitUntil(() => ids().includes('live-since'));
    expect(ids()).toEqual(['e2', 'e3', 'live-since']);
    client.socket.close();
  });

  it('follows up to `until`: the events before it, and no live event after it', async () => {
    const { client, ids } = await followIds({ prefix: 't:', until: times[2] }, 'until');
    expect(ids()).toEqual(['e1', 'e2']);
    await server.publish('t:1', [{ id: 'live-until', type: 'tick' }]);
    await sleep(300);
    expect(ids()).toEqual(['e1', 'e2']);
    client.socket.close();
  });

  it('delivers the same events as the HTTP wires with the same times', async () => {
    const query = `prefix=t:&since=${encodeURIComponent(times[0]!)}&until=${encodeURIComponent(times[2]!)}`;
    const page = (await (await fetch(`${server.url}/v1/events?${query}&wait=0`)).json()) as {
      events: { id: string }[];
    };
    const { client, ids } = await followIds({ prefix: 't:', since: times[0], until: times[2] }, 'both');
    expect(ids()).toEqual(page.events.map((event) => event.id));
    expect(ids()).toEqual(['e1', 'e2']);
    client.socket.close();
  });

  it('refuses a time that is not an ISO 8601 date-time with a zone, naming it', async () => {
    const client = await WsTestClient.open(server.url);
    for (const [filter, path] of [
      [{ prefix: 't:', since: '2026-02-30T00:00:00Z' }, 'filter.since'],
      [{ prefix: 't:', until: 'tomorrow' }, 'filter.until'],
      [{ prefix: 't:', since: 5 }, 'filter.since'],
    ] as const) {
      const ref = client.send({ op: 'follow', feed: 'bad', filter });
      const error = (await client.reply(ref)) as ErrorFrame;
      expect(error).toMatchObject({ op: 'error', code: 'invalid_request' });
      expect(error.message).toContain(path);
    }
    client.socket.close();
  });
});
