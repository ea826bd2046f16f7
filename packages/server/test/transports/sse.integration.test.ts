import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seqRange } from '../support/live-subscriber.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';

let server: LiveTestServer;
let streamCount = 0;
const newStream = (prefix = 'run:sse') => `${prefix}-${++streamCount}`;
const eventsUrl = (stream: string, query = '') => `${server.url}/v1/streams/${stream}/events${query}`;

beforeAll(async () => {
  server = await startLiveTestServer({}, { sseRetryMs: 50 });
});
afterAll(async () => {
  await server.close();
});

describe('single-stream SSE', () => {
  it('sends retry first, events as id/data frames, then event: live', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 2);
    const client = await SseTestClient.open(eventsUrl(stream));
    await client.waitUntil(() => client.named('live').length === 1);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.raw.startsWith('retry: 50\n\n')).toBe(true);
    expect(client.messages.map(({ event, id }) => [event, id])).toEqual([
      ['message', '1'],
      ['message', '2'],
      ['live', '2'],
    ]);
    expect(JSON.parse(client.named('live')[0]!.data)).toEqual({ stream, seq: 2 });
    client.close();
  });

  it('resumes from Last-Event-ID rather than after', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 5);
    const client = await SseTestClient.open(eventsUrl(stream, '?after=1'), { 'last-event-id': '3' });
    await client.waitUntil(() => client.named('live').length === 1);
    expect(client.seqs()).toEqual([4, 5]);
    client.close();
  });

  it('resets on a stale ?epoch=, but not again when EventSource reconnects to that URL with its Last-Event-ID', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 2);
    const first = await SseTestClient.open(eventsUrl(stream, '?after=2&epoch=stale'));
    await first.waitUntil(() => first.named('live').length === 1);
    expect(first.messages.map(({ event }) => event)).toEqual(['reset', 'message', 'message', 'live']);
    first.close();
    const reconnect = await SseTestClient.open(eventsUrl(stream, '?after=2&epoch=stale'), { 'last-event-id': '2' });
    await reconnect.waitUntil(() => reconnect.named('live').length === 1);
    expect(reconnect.messages.map(({ event }) => event)).toEqual(['live']);
    reconnect.close();
  });

  it.each([
    ['text/event-stream;q=0, application/json', 'application/json'],
    ['application/json;q=0.5, text/event-stream', 'text/event-stream'],
    ['TEXT/EVENT-STREAM', 'text/event-stream'],
    ['*/*', 'application/json'],
    ['application/json, text/event-stream;q=0.1', 'application/json'],
    ['application/json;q=0.5, text/event-stream;q=0.4', 'application/json'],
    ['text/event-stream, */*;q=0.1', 'text/event-stream'],
  ])('negotiates Accept %j as %s (review finding: q=0 was ignored)', async (accept, type) => {
    const stream = newStream();
    await server.publishTicks(stream, 1);
    const controller = new AbortController();
    const response = await fetch(eventsUrl(stream, '?after=0'), { headers: { accept }, signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
    // One URL, two representations: a shared cache must key the JSON page on Accept.
    if (type === 'application/json') expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    controller.abort();
  });

  it.each([
    ['the single-stream route', (stream: string) => eventsUrl(stream)],
    ['/v1/sse', (stream: string) => `${server.url}/v1/sse?stream=${stream}`],
  ])(
    'lets EventSource stop on %s at a final stream whose events retention removed (review finding: it reconnected for ever)',
    async (_route, urlOf) => {
      const stream = newStream();
      await server.publish(stream, [{ type: 'a' }, { type: 'b' }, { type: 'done', final: true }]);
      await fetch(`${server.url}/v1/events?olderThan=9999-01-01T00:00:00Z`, { method: 'DELETE' });
      const first = await SseTestClient.open(urlOf(stream));
      await first.waitUntil(() => first.named('final').length === 1);
      // The reset and the final frame carry the position they leave the client at, so EventSource's
      // Last-Event-ID moves there and its reconnect is answered 204, which stops it.
      const lastId = first.messages.at(-1)!.id;
      expect(first.named('reset')).toHaveLength(1);
      first.close();
      const reconnect = await fetch(urlOf(stream), {
        headers: { accept: 'text/event-stream', 'last-event-id': lastId },
      });
      expect(reconnect.status).toBe(204);
    },
  );

  it('answers a malformed Last-Event-ID with 400 invalid_request', async () => {
    const response = await fetch(eventsUrl(newStream()), {
      headers: { accept: 'text/event-stream', 'last-event-id': 'x' },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('ends the response after event: final, and answers a reconnect at the final seq with 204', async () => {
    const stream = newStream();
    const client = await SseTestClient.open(eventsUrl(stream));
    await client.waitUntil(() => client.named('live').length === 1);
    await server.publish(stream, [{ type: 'a' }, { type: 'done', final: true }]);
    await client.ended;
    expect(client.seqs()).toEqual([1, 2]);
    expect(client.messages.at(-1)).toMatchObject({ event: 'final', data: JSON.stringify({ stream, seq: 2 }) });
    const reconnect = await fetch(eventsUrl(stream), {
      headers: { accept: 'text/event-stream', 'last-event-id': '2' },
    });
    expect(reconnect.status).toBe(204);
  });

  it.each([
    ['?after=5', (stream: string) => eventsUrl(stream, '?after=5')],
    [
      '/v1/sse with an old epoch-less cursor at 5',
      (stream: string) => `${server.url}/v1/sse?stream=${stream}&cursor=${stream}%3D5`,
    ],
  ])(
    'resets a client at %s, past the head of a final stream recreated shorter, rather than telling it 204 (review finding)',
    async (_name, url) => {
      const stream = newStream();
      await server.publish(stream, [{ type: 'a' }, { type: 'done', final: true }]);
      const client = await SseTestClient.open(url(stream));
      await client.ended;
      expect(client.status).toBe(200);
      expect(client.named('reset').map((message) => JSON.parse(message.data))).toMatchObject([
        { stream, reason: 'epoch_changed' },
      ]);
      expect(client.seqs()).toEqual([1, 2]);
      expect(client.named('final')).toHaveLength(1);
    },
  );

  it('catches up on a stream that is already final with its events, event: live, then event: final (review finding 7)', async () => {
    const stream = newStream();
    await server.publish(stream, [{ type: 'a' }, { type: 'done', final: true }]);
    const client = await SseTestClient.open(eventsUrl(stream));
    await client.ended;
    expect(client.messages.map(({ event, id }) => [event, id])).toEqual([
      ['message', '1'],
      ['message', '2'],
      ['live', '2'],
      ['final', '2'],
    ]);
  });

  it('is consumed by the eventsource package, which reconnects with Last-Event-ID after a cut', async () => {
    const stream = newStream();
    const received: number[] = [];
    const lastEventIds: string[] = [];
    const source = new EventSource(eventsUrl(stream), {
      fetch: (url, init) => {
        lastEventIds.push(new Headers(init?.headers).get('last-event-id') ?? '');
        return fetch(url, init);
      },
    });
    source.onmessage = (message) => received.push((JSON.parse(message.data) as { seq: number }).seq);
    const waitFor = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await new Promise((resolve) => source.addEventListener('live', resolve, { once: true }));
    await server.publishTicks(stream, 3);
    await waitFor(() => received.length === 3);
    // Every connection, the EventSource's included even when fetch reused a pooled one: a cut.
    server.herald.app.server.closeAllConnections();
    await server.publishTicks(stream, 3);
    await waitFor(() => received.length === 6);
    await server.publish(stream, [{ type: 'done', final: true }]);
    await waitFor(() => received.length === 7);
    // After final the response ends; EventSource reconnects once more and is told 204: stop.
    await waitFor(() => source.readyState === EventSource.CLOSED);
    expect(received).toEqual(seqRange(1, 7));
    expect(lastEventIds).toEqual(['', '3', '7']);
  });
});

describe('multi-stream SSE', () => {
  it('refuses at once a response whose cursor could outgrow a Last-Event-ID header, and resumes one just under it (review finding)', async () => {
    // 16-character names: each can take 52 characters of cursor, so 134 fit in 7,000 and 135 do not.
    const streams = Array.from({ length: 135 }, (_, i) => `run:cur-${String(i).padStart(8, '0')}`);
    const query = (names: string[]) => names.map((name) => `stream=${name}`).join('&');
    const tooMany = await fetch(`${server.url}/v1/sse?${query(streams)}`, { headers: { accept: 'text/event-stream' } });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({
      error: { code: 'invalid_request', details: { path: 'stream', limit: 7000 } },
    });
    const fitting = streams.slice(0, 134);
    for (const stream of fitting) await server.publish(stream, [{ type: 'a' }]);
    const url = `${server.url}/v1/sse?${query(fitting)}`;
    const first = await SseTestClient.open(url);
    await first.waitUntil(() => first.named('live').length === fitting.length);
    const cursor = first.messages.filter((message) => message.event === 'message').at(-1)!.id;
    first.close();
    const again = await SseTestClient.open(url, { 'last-event-id': cursor });
    await again.waitUntil(() => again.named('live').length === fitting.length);
    expect(again.status).toBe(200);
    expect(again.seqs()).toEqual([]);
    again.close();
  });

  it('resumes every stream from the cursor of the last event id', async () => {
    const [a, b] = [newStream(), newStream()];
    await server.publishTicks(a, 2);
    await server.publishTicks(b, 1);
    const url = `${server.url}/v1/sse?stream=${a}&stream=${b}`;
    const first = await SseTestClient.open(url);
    await first.waitUntil(() => first.named('live').length === 2);
    const cursor = first.messages.filter((message) => message.event === 'message').at(-1)!.id;
    first.close();
    await server.publishTicks(a, 1);
    await server.publishTicks(b, 2);
    const second = await SseTestClient.open(url, { 'last-event-id': cursor });
    await second.waitUntil(() => second.named('live').length === 2);
    expect(second.seqs(a)).toEqual([3]);
    expect(second.seqs(b)).toEqual([2, 3]);
    second.close();
  });

  it('resets a stream recreated since the cursor was issued instead of resuming it mid-way', async () => {
    const [a, b] = [newStream(), newStream()];
    await server.publishTicks(a, 2);
    await server.publishTicks(b, 1);
    const url = `${server.url}/v1/sse?stream=${a}&stream=${b}`;
    const first = await SseTestClient.open(url);
    await first.waitUntil(() => first.named('live').length === 2);
    const cursor = first.messages.filter((message) => message.event === 'message').at(-1)!.id;
    first.close();
    // While the client is away, `a` is deleted and recreated past its old position.
    await server.herald.context.publisher.deleteStream(a);
    await server.publishTicks(a, 4);
    const second = await SseTestClient.open(url, { 'last-event-id': cursor });
    await second.waitUntil(() => second.named('live').length === 2);
    expect(second.named('reset').map((message) => JSON.parse(message.data))).toMatchObject([
      { stream: a, reason: 'epoch_changed', seq: 4, firstSeq: 1 },
    ]);
    expect(second.seqs(a)).toEqual([1, 2, 3, 4]);
    expect(second.seqs(b)).toEqual([]);
    second.close();
  });

  it.each([
    ['created after the client subscribed', false],
    ['deleted and recreated while the client was connected', true],
  ])(
    'resets a stream %s, then deleted and recreated while the client was away (review finding: ids without epoch)',
    async (_case, isDeletedLive) => {
      const stream = newStream();
      if (isDeletedLive) await server.publishTicks(stream, 2);
      const url = `${server.url}/v1/sse?stream=${stream}`;
      const first = await SseTestClient.open(url);
      await first.waitUntil(() => first.named('live').length === 1);
      if (isDeletedLive) await server.herald.context.publisher.deleteStream(stream);
      await server.publishTicks(stream, 2);
      await first.waitUntil(() => first.seqs(stream).filter((seq) => seq <= 2).length === (isDeletedLive ? 4 : 2));
      // Each id carries the epoch of the stream the event belongs to.
      const cursor = first.messages.filter((message) => message.event === 'message').at(-1)!.id;
      expect(cursor).toContain('~');
      first.close();
      await server.herald.context.publisher.deleteStream(stream);
      await server.publishTicks(stream, 3);
      const second = await SseTestClient.open(url, { 'last-event-id': cursor });
      await second.waitUntil(() => second.named('live').length === 1);
      expect(second.named('reset').map((message) => JSON.parse(message.data))).toMatchObject([
        { stream, reason: 'epoch_changed', seq: 3, firstSeq: 1 },
      ]);
      expect(second.seqs(stream)).toEqual([1, 2, 3]);
      second.close();
    },
  );

  it('tells a stream resumed at its final seq that it is final at once, beside streams still live (review finding)', async () => {
    const [done, live] = [newStream(), newStream()];
    await server.publish(done, [{ type: 'a' }, { type: 'done', final: true }]);
    const first = await SseTestClient.open(`${server.url}/v1/sse?stream=${done}`);
    await first.ended;
    const cursor = first.named('final').at(-1)!.id;
    const client = await SseTestClient.open(`${server.url}/v1/sse?stream=${done}&stream=${live}`, {
      'last-event-id': cursor,
    });
    await client.waitUntil(() => client.named('final').length === 1 && client.named('live').length === 1);
    expect(JSON.parse(client.named('final')[0]!.data)).toEqual({ stream: done, seq: 2 });
    expect(client.seqs(done)).toEqual([]);
    await server.publish(live, [{ type: 'a' }]);
    await client.waitUntil(() => client.seqs(live).length === 1);
    client.close();
  });

  it('ends once every stream is final, and answers 204 past all of them', async () => {
    const [a, b] = [newStream(), newStream()];
    await server.publish(a, [{ type: 'done', final: true }]);
    const client = await SseTestClient.open(`${server.url}/v1/sse?stream=${a}&stream=${b}`);
    await client.waitUntil(() => client.named('final').length === 1);
    await server.publish(b, [{ type: 'done', final: true }]);
    await client.ended;
    expect(client.named('final').map((message) => JSON.parse(message.data))).toEqual([
      { stream: a, seq: 1 },
      { stream: b, seq: 1 },
    ]);
    const cursor = client.messages.filter((message) => message.event === 'message').at(-1)!.id;
    const again = await fetch(`${server.url}/v1/sse?stream=${a}&stream=${b}`, {
      headers: { accept: 'text/event-stream', 'last-event-id': cursor },
    });
    expect(again.status).toBe(204);
  });

  it('ends with final for a final stream whose events retention deleted, instead of waiting forever', async () => {
    const stream = newStream();
    await server.publish(stream, [{ type: 'a' }, { type: 'done', final: true }]);
    await server.herald.context.log.deleteEventsOlderThan(new Date(Date.now() + 60_000).toISOString());
    const single = await SseTestClient.open(`${server.url}/v1/streams/${stream}/events?after=0`);
    await single.ended;
    expect(single.messages.map((message) => message.event)).toEqual(['reset', 'live', 'final']);
    expect(JSON.parse(single.named('final')[0]!.data)).toEqual({ stream, seq: 2 });
    const multi = await SseTestClient.open(`${server.url}/v1/sse?stream=${stream}`);
    await multi.ended;
    expect(multi.named('final').map((message) => JSON.parse(message.data))).toEqual([{ stream, seq: 2 }]);
  });

  it('refuses a cursor it did not issue with 400', async () => {
    const response = await fetch(`${server.url}/v1/sse?stream=run:a&cursor=garbage`);
    expect(response.status).toBe(400);
  });
});

describe('stream list watch', () => {
  it('lists the snapshots under the prefix, then live, then each change (a deletion reads as empty)', async () => {
    const prefix = `grid-${++streamCount}:`;
    await server.publish(`${prefix}a`, [{ type: 'x', state: { status: 'running' } }]);
    await server.publish('elsewhere:z', [{ type: 'x' }]);
    const client = await SseTestClient.open(`${server.url}/v1/streams?prefix=${prefix}&watch=1`);
    await client.waitUntil(() => client.named('live').length === 1);
    await server.publish(`${prefix}b`, [{ type: 'x', state: { status: 'queued' } }]);
    await server.publish('elsewhere:z', [{ type: 'y' }]);
    await server.publish(`${prefix}a`, [{ type: 'y', state: { status: 'done' }, final: true }]);
    await server.herald.context.publisher.deleteStream(`${prefix}b`);
    await client.waitUntil(() => client.messages.filter((message) => message.event === 'message').length === 4);
    const snapshots = client.messages
      .filter((message) => message.event === 'message')
      .map((message) => JSON.parse(message.data) as { stream: string; seq: number; state: unknown; final: boolean });
    expect(snapshots.map(({ stream, seq, state, final }) => ({ stream, seq, state, final }))).toEqual([
      { stream: `${prefix}a`, seq: 1, state: { status: 'running' }, final: false },
      { stream: `${prefix}b`, seq: 1, state: { status: 'queued' }, final: false },
      { stream: `${prefix}a`, seq: 2, state: { status: 'done' }, final: true },
      { stream: `${prefix}b`, seq: 0, state: null, final: false },
    ]);
    client.close();
  });
});

describe('shutdown', () => {
  it('ends SSE responses when the server closes', async () => {
    const own = await startLiveTestServer();
    const client = await SseTestClient.open(`${own.url}/v1/streams/run:1/events`);
    await client.waitUntil(() => client.named('live').length === 1);
    await own.close();
    await client.ended;
    expect(client.isEnded).toBe(true);
  });
});
