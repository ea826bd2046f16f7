import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpApi } from '../../src/http-api.js';
import { TokenSource } from '../../src/token-source.js';
import { createLongPollTransport } from '../../src/transports/longpoll-transport.js';
import { createPollTransport } from '../../src/transports/poll-transport.js';
import { createSseTransport, frameFromSseMessage } from '../../src/transports/sse-transport.js';
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

describe('SSE transport', () => {
  it('turns SSE messages into frames: unnamed events, live, reset and final', () => {
    const message = { id: '', retry: undefined };
    expect(
      frameFromSseMessage('s', { ...message, event: 'message', data: JSON.stringify(makeEvent('s', 1)) }),
    ).toMatchObject({
      op: 'event',
      seq: 1,
    });
    expect(frameFromSseMessage('s', { ...message, event: 'live', data: '{"seq":4}' })).toEqual({
      op: 'live',
      stream: 's',
      seq: 4,
    });
    expect(
      frameFromSseMessage('s', {
        ...message,
        event: 'reset',
        data: '{"epoch":"e","seq":9,"firstSeq":5,"state":{"a":1}}',
      }),
    ).toEqual({ op: 'reset', stream: 's', reason: 'truncated', epoch: 'e', seq: 9, state: { a: 1 } });
    expect(frameFromSseMessage('s', { ...message, event: 'message', data: '{oops' })).toBeUndefined();
  });

  it('reads the event stream with the token, and reports its end as a retryable error', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1'], { 'run:1': { after: 3, epoch: 'e' } });
    const requests: { url: string; headers: Headers }[] = [];
    const fetch: FetchFunction = async (url, init) => {
      requests.push({ url, headers: new Headers(init?.headers) });
      return sseResponse(['retry: 1000\n\n: hb\n\n', `id: 4\ndata: ${JSON.stringify(makeEvent('run:1', 4))}\n\n`]);
    };
    context.http = new HttpApi('http://herald.test', fetch, new TokenSource('secret', undefined, () => {}));
    createSseTransport(context, listener).open();
    await vi.waitFor(() => expect(reports.errors).toHaveLength(1));
    expect(requests[0]?.url).toBe('http://herald.test/v1/streams/run%3A1/events?after=3&epoch=e');
    expect(requests[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(requests[0]?.headers.get('authorization')).toBe('Bearer secret');
    expect(reports.opens).toBe(1);
    expect(reports.frames.filter((frame) => frame.op === 'event')).toHaveLength(1);
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

  it('long-polls events?after=&wait= and hands over each page', async () => {
    const server = new FakeHerald();
    const { context, listener, reports } = transportHarness(server, ['run:1']);
    createLongPollTransport(context, listener).open();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.requests).toEqual(['GET /v1/streams/run%3A1/events?after=0&wait=25']);
    server.publish('run:1', { type: 'step' });
    await vi.advanceTimersByTimeAsync(0);
    expect(reports.opens).toBe(1);
    expect(reports.frames[0]).toMatchObject({ op: 'page', page: { events: [{ seq: 1 }] } });
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
    expect(server.requests).toEqual([
      'GET /v1/streams/run%3A1',
      'GET /v1/streams/run%3A1/events?after=0',
      'GET /v1/streams/run%3A1',
      'GET /v1/streams/run%3A1',
      'GET /v1/streams/run%3A1',
      'GET /v1/streams/run%3A1',
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
