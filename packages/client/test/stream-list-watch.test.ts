import type { StreamSnapshot } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/index.js';
import type { FetchFunction, StreamList } from '../src/types.js';

function snapshotOf(stream: string, seq: number, epoch: string | null = 'ep1'): StreamSnapshot {
  return { stream, epoch, seq, firstSeq: 1, state: { seq }, final: false, createdAt: null, updatedAt: null };
}

const encoder = new TextEncoder();

/**
 * A fake server for `GET /v1/streams`: the SSE watch (held open; `push` sends frames, `refuseWatch`
 * answers it with an error) and the ETag-able list. Records every request.
 */
function createListServer() {
  const state = {
    streams: [] as StreamSnapshot[],
    version: 1,
    watchStatus: 200,
    listStatus: 200,
    requests: [] as { url: string; headers: Headers }[],
    watches: [] as ReadableStreamDefaultController<Uint8Array>[],
  };
  const fetch: FetchFunction = async (url, init) => {
    const headers = new Headers(init?.headers);
    state.requests.push({ url, headers });
    if (headers.get('accept') === 'text/event-stream') {
      if (state.watchStatus !== 200) {
        return new Response(JSON.stringify({ error: { code: 'not_found', message: 'no watch' } }), {
          status: state.watchStatus,
        });
      }
      const body = new ReadableStream<Uint8Array>({ start: (controller) => void state.watches.push(controller) });
      return new Response(body, { status: 200 });
    }
    if (state.listStatus !== 200) {
      return new Response(JSON.stringify({ error: { code: 'forbidden', message: 'not yours' } }), {
        status: state.listStatus,
      });
    }
    const etag = `"v${state.version}"`;
    if (headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } });
    return new Response(JSON.stringify({ streams: state.streams }), { status: 200, headers: { etag } });
  };
  const push = (chunk: string) => state.watches.at(-1)?.enqueue(encoder.encode(chunk));
  return { state, fetch, push, listReads: () => state.requests.filter((r) => !r.url.includes('watch=1')) };
}

function watch(server: ReturnType<typeof createListServer>) {
  const client = createClient({ url: 'http://herald.test', token: 'secret', fetch: server.fetch, staleAfterMs: 1000 });
  const lists: StreamList[] = [];
  const stop = client.watchStreams('run:', (list) => lists.push(list));
  return { client, lists, stop, last: () => lists.at(-1) };
}

describe('listStreams and queryEvents', () => {
  it('send their filters as query parameters with the token', async () => {
    const requests: { url: string; headers: Headers }[] = [];
    const fetch: FetchFunction = async (url, init) => {
      requests.push({ url, headers: new Headers(init?.headers) });
      const body = url.includes('/v1/events') ? { events: [], nextCursor: 'c2' } : { streams: [] };
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const client = createClient({ url: 'http://herald.test/', token: 'secret', fetch });
    expect(await client.listStreams({ prefix: 'run:', limit: 10, cursor: 'c1' })).toEqual({ streams: [] });
    const page = await client.queryEvents({
      prefix: 'run:',
      type: ['job_failed', 'job_done'],
      tags: { orgId: 'acme' },
      since: '2026-01-01T00:00:00.000Z',
      order: 'desc',
      cursor: 'c1',
    });
    expect(page.nextCursor).toBe('c2');
    expect(requests.map((request) => request.url)).toEqual([
      'http://herald.test/v1/streams?prefix=run%3A&limit=10&cursor=c1',
      'http://herald.test/v1/events?prefix=run%3A&since=2026-01-01T00%3A00%3A00.000Z&order=desc&cursor=c1&type=job_failed%2Cjob_done&tag.orgId=acme',
    ]);
    expect(requests.every((request) => request.headers.get('authorization') === 'Bearer secret')).toBe(true);
  });

  it('reject with the server error as a HeraldError', async () => {
    const body = JSON.stringify({ error: { code: 'invalid_request', message: 'bad since' } });
    const client = createClient({ url: 'http://herald.test', fetch: async () => new Response(body, { status: 400 }) });
    await expect(client.queryEvents({ since: 'yesterday' })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'bad since',
    });
  });
});

describe('watchStreams', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports the listing at live, then each changed snapshot, and drops deleted streams', async () => {
    const server = createListServer();
    const { last } = watch(server);
    await vi.advanceTimersByTimeAsync(0);
    const request = server.state.requests[0];
    expect(request?.url).toBe('http://herald.test/v1/streams?prefix=run%3A&limit=1000&watch=1');
    expect(request?.headers.get('authorization')).toBe('Bearer secret');
    server.push(
      `data: ${JSON.stringify(snapshotOf('run:a', 1))}\n\ndata: ${JSON.stringify(snapshotOf('run:b', 2))}\n\n`,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toBeUndefined();
    server.push('event: live\ndata: {}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.status).toBe('live');
    expect(last()?.streams.map((s) => s.stream)).toEqual(['run:a', 'run:b']);
    server.push(
      `data: ${JSON.stringify(snapshotOf('run:a', 5))}\n\ndata: ${JSON.stringify(snapshotOf('run:b', 0, null))}\n\n`,
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.streams.map((s) => [s.stream, s.seq])).toEqual([['run:a', 5]]);
  });

  it('polls the list with its ETag while the watch is down, and stops once it is live again', async () => {
    const server = createListServer();
    server.state.streams = [snapshotOf('run:a', 1)];
    const { last } = watch(server);
    await vi.advanceTimersByTimeAsync(0);
    server.state.watches[0]?.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.status).toBe('polling');
    expect(last()?.streams).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.listReads().at(-1)?.headers.get('if-none-match')).toBe('"v1"');
    // The watch is retried after a backoff; once live, polling stops.
    await vi.advanceTimersByTimeAsync(500);
    expect(server.state.watches).toHaveLength(2);
    server.push('event: live\ndata: {}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.status).toBe('live');
    const reads = server.listReads().length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.listReads()).toHaveLength(reads);
  });

  it('only polls when the watch is refused, and reports a failed read until the next good one', async () => {
    const server = createListServer();
    server.state.watchStatus = 404;
    server.state.listStatus = 403;
    const { last } = watch(server);
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.status).toBe('polling');
    expect(last()?.error?.code).toBe('forbidden');
    server.state.listStatus = 200;
    await vi.advanceTimersByTimeAsync(1000);
    expect(last()?.error).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.state.requests.filter((r) => r.url.includes('watch=1'))).toHaveLength(1);
  });

  it('stops every request when stopped', async () => {
    const server = createListServer();
    server.state.watchStatus = 503;
    const { stop } = watch(server);
    await vi.advanceTimersByTimeAsync(0);
    stop();
    const count = server.state.requests.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.state.requests).toHaveLength(count);
  });
});
