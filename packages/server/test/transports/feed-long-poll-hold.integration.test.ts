/**
 * A held feed long-poll answers when a matching event commits or its wait ends, never early with
 * an empty page: a commit that only part of the filter matches (its prefix, but not its
 * `since`/`until`) keeps the request held.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';

interface TimedPage {
  elapsedMs: number;
  events: { stream: string }[];
}

describe('a feed long-poll with a time filter', () => {
  let server: LiveTestServer;

  beforeAll(async () => {
    server = await startLiveTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  /** Long-polls `query` for up to `waitSeconds`, publishing one event to `stream` 300 ms in. */
  async function pollWhilePublishing(query: string, waitSeconds: number, stream: string): Promise<TimedPage> {
    const startedAt = Date.now();
    const answer = fetch(`${server.url}/v1/events?${query}&wait=${waitSeconds}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.publishTicks(stream, 1);
    const page = (await (await answer).json()) as { events: { stream: string }[] };
    return { elapsedMs: Date.now() - startedAt, events: page.events };
  }

  it('keeps holding through a commit before `since`, until the wait ends', async () => {
    const page = await pollWhilePublishing('prefix=a:&since=2999-01-01T00:00:00Z', 2, 'a:1');
    expect(page.events).toEqual([]);
    expect(page.elapsedMs).toBeGreaterThanOrEqual(1_900);
  });

  it('keeps holding through a commit at or after `until`, until the wait ends', async () => {
    const page = await pollWhilePublishing('prefix=b:&until=2000-01-01T00:00:00Z', 2, 'b:1');
    expect(page.events).toEqual([]);
    expect(page.elapsedMs).toBeGreaterThanOrEqual(1_900);
  });

  it('answers at once a commit within `since`/`until`', async () => {
    const page = await pollWhilePublishing(
      'prefix=c:&since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z',
      10,
      'c:1',
    );
    expect(page.events.map((event) => event.stream)).toEqual(['c:1']);
    expect(page.elapsedMs).toBeLessThan(5_000);
  });
});
