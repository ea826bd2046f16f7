import type { EventsPage, HistoryPage, StreamListPage } from '@herald/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';

let server: InProcessHerald;
beforeAll(async () => {
  server = await startInProcessHerald({ limits: { publishRatePerSecond: 0 } });
});
afterAll(() => server.close());

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

const publish = (stream: string, body: unknown) => requestJson(`${server.url}/v1/streams/${stream}/events`, { body });

describe('GET /v1/streams/{stream}', () => {
  it('returns 304 with the ETag and no body when If-None-Match matches', async () => {
    await publish('run:etag', { type: 'a', state: { step: 1 } });
    const first = await fetch(`${server.url}/v1/streams/run:etag`);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await fetch(`${server.url}/v1/streams/run:etag`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    await publish('run:etag', { type: 'b', state: { step: 2 } });
    const changed = await fetch(`${server.url}/v1/streams/run:etag`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it("answers a matching If-None-Match with 304 from the stream's position, without reading its state", async () => {
    // A large state: a 304 must not cost its read, parse, serialisation and hash on every poll.
    await publish('run:big-state', { type: 'a', state: { blob: 'x'.repeat(60_000) } });
    const first = await fetch(`${server.url}/v1/streams/run:big-state`);
    const etag = first.headers.get('etag')!;
    const log = server.herald.context.log;
    const snapshotReads = vi.spyOn(log, 'getSnapshot');
    try {
      const again = await fetch(`${server.url}/v1/streams/run:big-state`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(snapshotReads).not.toHaveBeenCalled();
    } finally {
      snapshotReads.mockRestore();
    }
  });

  it('gives the snapshot a new ETag when retention moves its firstSeq, though seq and state stay', async () => {
    await publish('run:retained', { events: [{ type: 'a' }, { type: 'b' }, { type: 'c' }] });
    const first = await fetch(`${server.url}/v1/streams/run:retained`);
    const etag = first.headers.get('etag')!;
    await server.herald.context.log.sweepRetention({ maxEventsPerStream: 1 });
    const after = await fetch(`${server.url}/v1/streams/run:retained`, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ seq: 3, firstSeq: 3 });
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('reads an unknown stream as empty', async () => {
    const answer = await requestJson(`${server.url}/v1/streams/run:never`);
    expect(answer.body).toMatchObject({ stream: 'run:never', epoch: null, seq: 0, state: null, final: false });
  });
});

describe('GET /v1/streams/{stream}/events', () => {
  it('wakes a waiting long-poll as soon as an event is published', async () => {
    await publish('run:wait', { type: 'a' });
    const waiting = requestJson<EventsPage>(`${server.url}/v1/streams/run:wait/events?after=1&wait=30`);
    await waitUntil(async () => (await server.herald.context.metrics.longPollsWaiting.get()).values[0]?.value === 1);
    const publishedAt = Date.now();
    await publish('run:wait', { type: 'b' });
    const page = await waiting;
    // Generous bound: the point is that it wakes on the publish instead of holding for 30 s.
    expect(Date.now() - publishedAt).toBeLessThan(500);
    expect(page.body.events.map((event) => event.seq)).toEqual([2]);
  });

  it('answers a long-poll on a final stream at once', async () => {
    await publish('run:final-wait', { type: 'end', final: true });
    const page = await requestJson<EventsPage>(`${server.url}/v1/streams/run:final-wait/events?after=1&wait=30`);
    expect(page.body).toMatchObject({ final: true, events: [] });
  });

  it('lets a shared cache keep an epoch-pinned page below the head for seconds, and revalidates any other page', async () => {
    const { epoch } = (await publish('run:cache', { events: [{ type: 'a' }, { type: 'b' }, { type: 'c' }] })).body as {
      epoch: string;
    };
    const settled = await fetch(`${server.url}/v1/streams/run:cache/events?after=0&limit=2&epoch=${epoch}`);
    expect(settled.headers.get('cache-control')).toBe('public, max-age=5');
    const unpinned = await fetch(`${server.url}/v1/streams/run:cache/events?after=0&limit=2`);
    expect(unpinned.headers.get('cache-control')).toBe('no-cache');
    const open = await fetch(`${server.url}/v1/streams/run:cache/events?after=2`);
    expect(open.headers.get('cache-control')).toBe('no-cache');
    const etag = open.headers.get('etag')!;
    const repeat = await fetch(`${server.url}/v1/streams/run:cache/events?after=2`, {
      headers: { 'if-none-match': etag },
    });
    expect(repeat.status).toBe(304);
  });

  it('resets to firstSeq with the state when the position was trimmed by retention (G1)', async () => {
    await publish('run:trim', { events: [1, 2, 3, 4, 5].map((n) => ({ type: 'step', state: { n } })) });
    await server.herald.context.log.sweepRetention({ maxEventsPerStream: 2 });
    const page = await requestJson<EventsPage>(`${server.url}/v1/streams/run:trim/events?after=1`);
    expect(page.body).toMatchObject({ reset: true, firstSeq: 4, seq: 5, state: { n: 5 } });
    expect(page.body.events.map((event) => event.seq)).toEqual([4, 5]);
    const resumed = await requestJson<EventsPage>(`${server.url}/v1/streams/run:trim/events?after=3`);
    expect(resumed.body.reset).toBeUndefined();
  });

  it('resets when the given epoch is not the stream epoch', async () => {
    await publish('run:epoch', { type: 'a' });
    const page = await requestJson<EventsPage>(`${server.url}/v1/streams/run:epoch/events?after=1&epoch=stale`);
    expect(page.body).toMatchObject({ reset: true, firstSeq: 1 });
    expect(page.body.events).toHaveLength(1);
  });
});

describe('GET /v1/streams', () => {
  it('lists streams under a prefix page by page', async () => {
    for (const name of ['grid:a', 'grid:b', 'grid:c']) await publish(name, { type: 'a' });
    const first = await requestJson<StreamListPage>(`${server.url}/v1/streams?prefix=grid:&limit=2`);
    const second = await requestJson<StreamListPage>(
      `${server.url}/v1/streams?prefix=grid:&limit=2&cursor=${first.body.nextCursor}`,
    );
    const names = [...first.body.streams, ...second.body.streams].map((snapshot) => snapshot.stream);
    expect(names).toEqual(['grid:a', 'grid:b', 'grid:c']);
    expect(second.body.nextCursor).toBeUndefined();
  });
});

describe('GET /v1/events', () => {
  it('returns every matching event exactly once across pages, in either order', async () => {
    const orgs = ['acme', 'globex'];
    const types = ['job_started', 'job_progress', 'job_completed'];
    const events = Array.from({ length: 30 }, (_, i) => ({
      stream: `hist:${i % 4}`,
      type: types[i % 3]!,
      tags: { orgId: orgs[i % 2]!, jobId: `j${i}` },
      data: { i },
    }));
    await requestJson(`${server.url}/v1/events`, { body: { events } });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.constantFrom('asc', 'desc'),
        fc.subarray(types, { minLength: 1 }),
        fc.option(fc.constantFrom(...orgs), { nil: undefined }),
        async (limit, order, typeFilter, orgId) => {
          const query = new URLSearchParams({
            prefix: 'hist:',
            type: typeFilter.join(','),
            order,
            limit: String(limit),
          });
          if (orgId) query.set('tag.orgId', orgId);
          const seen: number[] = [];
          let cursor: string | undefined;
          do {
            if (cursor) query.set('cursor', cursor);
            const page = await requestJson<HistoryPage>(`${server.url}/v1/events?${query}`);
            expect(page.status).toBe(200);
            expect(page.body.events.length).toBeLessThanOrEqual(limit);
            seen.push(...page.body.events.map((event) => (event.data as { i: number }).i));
            cursor = page.body.nextCursor;
          } while (cursor);
          const expected = events
            .map((event, i) => ({ event, i }))
            .filter(({ event }) => typeFilter.includes(event.type) && (!orgId || event.tags.orgId === orgId))
            .map(({ i }) => i);
          expect(seen).toEqual(order === 'asc' ? expected : [...expected].reverse());
        },
      ),
      { numRuns: 15 },
    );
  });
});
