import { encodeSseCursor, MAX_SSE_CURSOR_CHARS, maxSseCursorCharsOf, STREAM_NAME_PATTERN } from '@herald/protocol';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpApi, type Position } from '../../src/http-api.js';
import { TokenSource } from '../../src/token-source.js';
import { createLongPollTransport } from '../../src/transports/longpoll-transport.js';
import { createPollTransport } from '../../src/transports/poll-transport.js';
import {
  frameFromSseMessage,
  groupByQueryLength,
  MAX_SSE_QUERY_CHARS,
  SseTransport,
} from '../../src/transports/sse-transport.js';
import type { FetchFunction } from '../../src/types.js';
import { FakeHerald, makeEvent } from '../support/fake-herald.js';
import { transportHarness } from '../support/transport-harness.js';

function sseResponse(chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** An SSE response whose chunks the test pushes, and ends, by hand. */
function liveSseResponse() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    push: (chunk: string) => controller.enqueue(encoder.encode(chunk)),
    end: () => controller.close(),
  };
}

const eventChunk = (stream: string, seq: number) =>
  `id: ${stream}=${seq}\ndata: ${JSON.stringify(makeEvent(stream, seq))}\n\n`;

describe('SSE transport', () => {
  it('turns multi-stream SSE messages into frames: unnamed events, live, reset and final', () => {
    const message = { id: '', retry: undefined };
    expect(
      frameFromSseMessage({ ...message, event: 'message', data: JSON.stringify(makeEvent('s', 1)) }),
    ).toMatchObject({ op: 'event', stream: 's', seq: 1 });
    expect(frameFromSseMessage({ ...message, event: 'live', data: '{"stream":"s","seq":4}' })).toEqual({
      op: 'live',
      stream: 's',
      seq: 4,
    });
    expect(
      frameFromSseMessage({
        ...message,
        event: 'reset',
        data: '{"stream":"s","reason":"epoch_changed","epoch":"e","seq":9,"state":{"a":1}}',
      }),
    ).toEqual({ op: 'reset', stream: 's', reason: 'epoch_changed', epoch: 'e', seq: 9, state: { a: 1 } });
    expect(frameFromSseMessage({ ...message, event: 'final', data: '{"stream":"s","seq":9}' })).toEqual({
      op: 'final',
      stream: 's',
    });
    expect(frameFromSseMessage({ ...message, event: 'message', data: '{oops' })).toBeUndefined();
    expect(frameFromSseMessage({ ...message, event: 'live', data: '{}' })).toBeUndefined();
  });

  it('drops SSE messages that would fail the WebSocket frame checks: wrong types, missing fields, a forged op', () => {
    const message = { id: '', retry: undefined };
    const event = makeEvent('s', 1);
    const garbled = [
      { event: 'message', data: JSON.stringify({ ...event, seq: '1' }) },
      { event: 'message', data: JSON.stringify({ ...event, seq: 0 }) },
      { event: 'message', data: JSON.stringify({ ...event, id: undefined }) },
      { event: 'message', data: JSON.stringify({ ...event, stream: 'no spaces allowed' }) },
      { event: 'message', data: JSON.stringify({ ...event, type: 7 }) },
      { event: 'message', data: '[1,2]' },
      { event: 'live', data: '{"stream":"s","seq":-1}' },
      { event: 'live', data: '{"stream":"s","seq":1.5}' },
      { event: 'reset', data: '{"stream":"s","reason":"because","epoch":"e","seq":9,"state":null}' },
      { event: 'reset', data: '{"stream":"s","reason":"truncated","epoch":7,"seq":9,"state":null}' },
      { event: 'final', data: '{"stream":"s"}' },
    ];
    for (const { event: name, data } of garbled) {
      expect(frameFromSseMessage({ ...message, event: name, data }), `${name} ${data}`).toBeUndefined();
    }
    // An event's data cannot pass for another frame: the message is an event, or nothing.
    const forged = frameFromSseMessage({
      ...message,
      event: 'message',
      data: JSON.stringify({ ...event, op: 'reset' }),
    });
    expect(forged).toMatchObject({ op: 'event', stream: 's', seq: 1 });
  });

  it('carries every stream on one response with the token, and reports its end as a retryable error', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1', 'run:2'], {
      'run:1': { after: 3, epoch: 'e' },
    });
    const requests: { url: string; headers: Headers }[] = [];
    const fetch: FetchFunction = async (url, init) => {
      requests.push({ url, headers: new Headers(init?.headers) });
      return sseResponse(['retry: 1000\n\n: hb\n\n', eventChunk('run:1', 4), eventChunk('run:2', 1)]);
    };
    context.http = new HttpApi('http://herald.test', fetch, new TokenSource('secret', undefined, () => {}));
    new SseTransport(context, listener).open();
    await vi.waitFor(() => expect(reports.errors).toHaveLength(1));
    expect(requests).toHaveLength(1);
    expect(requests[0]?.url).toBe('http://herald.test/v1/sse?stream=run%3A1&stream=run%3A2&cursor=run%3A1%3D3%7Ee');
    expect(requests[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer secret');
    expect(reports.opens).toBe(1);
    expect(reports.frames.filter((frame) => frame.op === 'event').map((frame) => frame.stream)).toEqual([
      'run:1',
      'run:2',
    ]);
    expect(reports.errors[0]?.code).toBe('unavailable');
  });

  it('reopens one response from the current positions when streams are added or removed', async () => {
    const server = new FakeHerald();
    const positions: Record<string, Position> = { 'run:1': { after: 5, epoch: null } };
    const streams = ['run:1'];
    const { context, listener, reports } = transportHarness(server, streams, positions);
    const urls: string[] = [];
    const signals: AbortSignal[] = [];
    const fetch: FetchFunction = async (url, init) => {
      urls.push(url);
      if (init?.signal) signals.push(init.signal);
      return liveSseResponse().response;
    };
    context.http = new HttpApi('http://herald.test', fetch, new TokenSource(undefined, undefined, () => {}));
    const transport = new SseTransport(context, listener);
    transport.open();
    await vi.waitFor(() => expect(reports.opens).toBe(1));
    positions['run:2'] = { after: 2, epoch: null };
    transport.add('run:2');
    transport.add('run:3');
    await vi.waitFor(() => expect(urls).toHaveLength(2));
    expect(signals[0]?.aborted).toBe(true);
    expect(urls[1]).toBe(
      'http://herald.test/v1/sse?stream=run%3A1&stream=run%3A2&stream=run%3A3&cursor=run%3A1%3D5%2Crun%3A2%3D2',
    );
    transport.remove('run:1');
    await vi.waitFor(() => expect(urls).toHaveLength(3));
    expect(urls[2]).toBe('http://herald.test/v1/sse?stream=run%3A2&stream=run%3A3&cursor=run%3A2%3D2');
    expect(reports.errors).toEqual([]);
    expect(reports.opens).toBe(1);
    transport.close();
    expect(signals[2]?.aborted).toBe(true);
  });

  it('ends quietly once every stream is final, and does not reopen when a final stream is removed', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1', 'run:2']);
    const live = liveSseResponse();
    const urls: string[] = [];
    const fetch: FetchFunction = async (url) => {
      urls.push(url);
      return live.response;
    };
    context.http = new HttpApi('http://herald.test', fetch, new TokenSource(undefined, undefined, () => {}));
    const transport = new SseTransport(context, listener);
    transport.open();
    await vi.waitFor(() => expect(reports.opens).toBe(1));
    live.push(`event: final\ndata: {"stream":"run:1","seq":1}\n\n`);
    await vi.waitFor(() => expect(reports.frames.some((frame) => frame.op === 'final')).toBe(true));
    transport.remove('run:1');
    live.push(`event: final\ndata: {"stream":"run:2","seq":1}\n\n`);
    live.end();
    await vi.waitFor(() => expect(reports.frames.filter((frame) => frame.op === 'final')).toHaveLength(2));
    await Promise.resolve();
    expect(urls).toHaveLength(1);
    expect(reports.errors).toEqual([]);
  });
});

/** The query string HttpApi.openEventStreams sends for `streams` at `positions`. */
function sseQuery(streams: string[], positions: (stream: string) => Position): string {
  const query = new URLSearchParams(streams.map((stream) => ['stream', stream]));
  const cursor = encodeSseCursor(
    streams.map((stream) => [stream, { seq: positions(stream).after, epoch: positions(stream).epoch }] as const),
  );
  if (cursor !== '') query.set('cursor', cursor);
  return query.toString();
}

describe('SSE transport with many streams', () => {
  it('groups streams in order into queries under the limit, whose cursors can never outgrow what the server takes (a lone stream may exceed it)', () => {
    const position = fc.record({
      after: fc.nat(),
      epoch: fc.option(fc.base64String({ minLength: 16, maxLength: 16 })),
    });
    const streamName = fc.stringMatching(STREAM_NAME_PATTERN);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(streamName, position), { selector: ([name]) => name, minLength: 60, maxLength: 400 }),
        (entries) => {
          const positions = new Map(entries);
          const positionOf = (stream: string) => positions.get(stream) as Position;
          const groups = groupByQueryLength([...positions.keys()], positionOf);
          expect(groups.flat()).toEqual([...positions.keys()]);
          for (const group of groups) {
            expect(group.length).toBeGreaterThan(0);
            if (group.length > 1) expect(sseQuery(group, positionOf).length).toBeLessThanOrEqual(MAX_SSE_QUERY_CHARS);
            const cursorChars = group.reduce((sum, stream) => sum + maxSseCursorCharsOf(stream), 0);
            if (group.length > 1) expect(cursorChars).toBeLessThanOrEqual(MAX_SSE_CURSOR_CHARS);
          }
        },
      ),
    );
  });

  it('splits short-named streams by the cursor they could come to need, which the server would refuse past its limit (review finding)', () => {
    const streams = Array.from({ length: 600 }, (_, i) => `r:${i}`);
    const groups = groupByQueryLength(streams, () => ({ after: 0, epoch: null }));
    expect(groups.flat()).toEqual(streams);
    for (const group of groups) {
      expect(group.reduce((sum, stream) => sum + maxSseCursorCharsOf(stream), 0)).toBeLessThanOrEqual(
        MAX_SSE_CURSOR_CHARS,
      );
    }
  });

  it('splits 300 long-named streams over several responses and fails them all together', async () => {
    const streams = Array.from({ length: 300 }, (_, i) => `run:${'x'.repeat(60)}-${i}`);
    const positions: Record<string, Position> = Object.fromEntries(
      streams.map((stream, i) => [stream, { after: i + 1, epoch: 'e'.repeat(16) }]),
    );
    const { context, listener, reports } = transportHarness(new FakeHerald(), streams, positions);
    const responses: { url: URL; signal: AbortSignal | undefined; live: ReturnType<typeof liveSseResponse> }[] = [];
    const fetch: FetchFunction = async (url, init) => {
      const live = liveSseResponse();
      responses.push({ url: new URL(url), signal: init?.signal ?? undefined, live });
      return live.response;
    };
    context.http = new HttpApi('http://herald.test', fetch, new TokenSource(undefined, undefined, () => {}));
    new SseTransport(context, listener).open();
    await vi.waitFor(() => expect(reports.opens).toBe(1));

    expect(responses.length).toBeGreaterThan(1);
    for (const { url } of responses) expect(url.search.length - 1).toBeLessThanOrEqual(MAX_SSE_QUERY_CHARS);
    expect(responses.flatMap(({ url }) => url.searchParams.getAll('stream'))).toEqual(streams);
    const last = responses.at(-1)!;
    const lastStream = last.url.searchParams.getAll('stream').at(-1)!;
    expect(last.url.searchParams.get('cursor')).toContain(`${lastStream}=300~${'e'.repeat(16)}`);

    last.live.push(eventChunk(lastStream, 301));
    await vi.waitFor(() => expect(reports.frames.some((frame) => frame.op === 'event')).toBe(true));
    responses[0]!.live.end();
    await vi.waitFor(() => expect(reports.errors).toHaveLength(1));
    expect(responses.every(({ signal }) => signal?.aborted)).toBe(true);
    expect(reports.errors[0]?.code).toBe('unavailable');
  });
});

describe('long-poll and ETag poll transports', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens with a read that does not wait (its handshake), then long-polls events?after=&wait= and hands over each page', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1']);
    createLongPollTransport(context, listener).open();
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.opens).toBe(1);
    expect(server.requests).toEqual([
      'GET /v1/streams/run%3A1/events?after=0',
      'GET /v1/streams/run%3A1/events?after=0&epoch=epoch-run%3A1&wait=25',
    ]);
    server.publish('run:1', { type: 'step' });
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.frames.map((frame) => frame.op)).toEqual(['page', 'page']);
    expect(reports.frames[1]).toMatchObject({ op: 'page', page: { events: [{ seq: 1 }] } });
  });

  it('reads events only when the snapshot ETag changes, and stops on a final stream', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1']);
    server.publish('run:1', { type: 'step' });
    createPollTransport(context, listener).open();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(3000);
    server.publish('run:1', { type: 'done', final: true });
    await vi.advanceTimersByTimeAsync(10_000);
    // Each snapshot poll says it watches (watch=1): it counts in the stream's presence.
    expect(server.requests).toEqual([
      'GET /v1/streams/run%3A1?watch=1',
      'GET /v1/streams/run%3A1/events?after=0',
      'GET /v1/streams/run%3A1?watch=1',
      'GET /v1/streams/run%3A1?watch=1',
      'GET /v1/streams/run%3A1?watch=1',
      'GET /v1/streams/run%3A1?watch=1',
      'GET /v1/streams/run%3A1/events?after=1&epoch=epoch-run%3A1',
    ]);
    expect(reports.polls).toBe(5);
    expect(reports.frames.filter((frame) => frame.op === 'hb')).toHaveLength(3);
  });

  it('fails the whole transport when one request fails', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1', 'run:2']);
    server.failNext(1, 'network');
    createLongPollTransport(context, listener).open();
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.errors.map((error) => error.code)).toEqual(['unavailable']);
  });
});
