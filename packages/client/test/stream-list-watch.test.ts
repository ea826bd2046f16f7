import type { StreamSnapshot } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/index.js';
import { resolveStreamListKinds } from '../src/transports/stream-list-transport.js';
import type { ClientOptions, FetchFunction, StreamList } from '../src/types.js';

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
  return {
    state,
    fetch,
    push,
    listReads: () => state.requests.filter((r) => !r.url.includes('watch=1')),
    watchOpens: () => state.requests.filter((r) => r.url.includes('watch=1')),
  };
}

function watch(server: ReturnType<typeof createListServer>, options: Partial<ClientOptions> = {}) {
  const client = createClient({
    url: 'http://herald.test',
    token: 'secret',
    fetch: server.fetch,
    staleAfterMs: 1000,
    ...options,
  });
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

  it('retries a dropped watch, falls back to ETag polling after two failures, and climbs back by handshake', async () => {
    const server = createListServer();
    server.state.streams = [snapshotOf('run:a', 1)];
    const { last } = watch(server);
    await vi.advanceTimersByTimeAsync(0);
    server.state.watches[0]?.close();
    await vi.advanceTimersByTimeAsync(0);
    // One failure: the watch is retried first (same rules as the client's streams).
    expect(last()?.status).toBe('reconnecting');
    server.state.watchStatus = 503;
    await vi.advanceTimersByTimeAsync(3000);
    // The retry fails too: polling, and a probe of the watch at once (still refused).
    expect(server.watchOpens()).toHaveLength(3);
    expect(last()?.status).toBe('polling');
    expect(last()?.streams.map((s) => s.stream)).toEqual(['run:a']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.listReads().at(-1)?.headers.get('if-none-match')).toBe('"v1"');
    // The watch works again: the next probe opens it, and its listing and `live` promote it.
    server.state.watchStatus = 200;
    await vi.advanceTimersByTimeAsync(30_000);
    const probes = server.watchOpens().length;
    expect(probes).toBe(4);
    server.state.streams = [snapshotOf('run:a', 1), snapshotOf('run:b', 1)];
    server.push(
      `data: ${JSON.stringify(snapshotOf('run:a', 1))}\n\ndata: ${JSON.stringify(snapshotOf('run:b', 1))}\n\n`,
    );
    server.push('event: live\ndata: {}\n\n');
    await vi.advanceTimersByTimeAsync(0);
    expect(last()?.status).toBe('live');
    expect(last()?.streams.map((s) => s.stream)).toEqual(['run:a', 'run:b']);
    // No polling while the watch is healthy, and no further probe.
    const reads = server.listReads().length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.listReads()).toHaveLength(reads);
    expect(server.watchOpens()).toHaveLength(probes);
  });

  it('moves to polling on one refusal of the watch, and probes it again once per probe interval', async () => {
    const server = createListServer();
    server.state.watchStatus = 404;
    const { last } = watch(server, { probeIntervalMs: 30_000 });
    // A refusal moves one rung down after the first backoff wait (below 500 ms), not after two failures.
    await vi.advanceTimersByTimeAsync(500);
    expect(last()?.status).toBe('polling');
    expect(server.watchOpens()).toHaveLength(2);
    // The refused watch, the probe at once after polling opened, then one probe per 30 s.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.watchOpens()).toHaveLength(4);
    expect(last()?.status).toBe('polling');
  });

  it('reports a failed read until the next good one', async () => {
    const server = createListServer();
    server.state.watchStatus = 404;
    server.state.listStatus = 403;
    const { last, lists } = watch(server);
    // The refused watch and the refused read are both reported, in whichever order the ladder's
    // attempts meet them: it goes back to the watch after the read fails, so the latest error is
    // either. Reading an answer takes real event-loop turns (the body is a web stream), which a
    // loaded machine spreads past the fake 500 ms, hence the wait.
    await vi.advanceTimersByTimeAsync(500);
    await vi.waitFor(() => expect(lists.map((list) => list.error?.code)).toContain('forbidden'));
    expect(last()?.error).not.toBeNull();
    server.state.listStatus = 200;
    server.state.streams = [snapshotOf('run:a', 1)];
    await vi.advanceTimersByTimeAsync(30_000);
    expect(last()?.error).toBeNull();
    expect(last()?.streams.map((s) => s.stream)).toEqual(['run:a']);
  });

  it('never opens the watch when `transports` allows no push, and polls the list instead', async () => {
    const server = createListServer();
    server.state.streams = [snapshotOf('run:a', 1)];
    const { last } = watch(server, { transports: ['poll'] });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.watchOpens()).toHaveLength(0);
    expect(server.listReads().length).toBeGreaterThan(100);
    expect(last()?.status).toBe('polling');
  });

  it('makes no request while offline and reconnects at once when back online (I8)', async () => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    try {
      const server = createListServer();
      const { last } = watch(server, { transports: ['poll'] });
      await vi.advanceTimersByTimeAsync(0);
      expect(last()?.status).toBe('polling');
      network.dispatchEvent(new Event('offline'));
      expect(last()?.status).toBe('offline');
      const count = server.state.requests.length;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(server.state.requests).toHaveLength(count);
      network.dispatchEvent(new Event('online'));
      await vi.advanceTimersByTimeAsync(0);
      expect(server.state.requests).toHaveLength(count + 1);
      expect(last()?.status).toBe('polling');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('starts offline without a request when the browser already said so', async () => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    try {
      const server = createListServer();
      const client = createClient({ url: 'http://herald.test', fetch: server.fetch });
      network.dispatchEvent(new Event('offline'));
      client.watchStreams('run:', () => {});
      await vi.advanceTimersByTimeAsync(10_000);
      expect(server.state.requests).toHaveLength(0);
      network.dispatchEvent(new Event('online'));
      await vi.advanceTimersByTimeAsync(0);
      expect(server.watchOpens()).toHaveLength(1);
    } finally {
      vi.unstubAllGlobals();
    }
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

describe('resolveStreamListKinds', () => {
  it('keeps the SSE watch, maps pull transports to polling and drops WebSocket, which has no list counterpart', () => {
    expect(resolveStreamListKinds(['websocket', 'sse', 'longpoll', 'poll'])).toEqual(['sse', 'poll']);
    expect(resolveStreamListKinds(['longpoll', 'sse'])).toEqual(['poll', 'sse']);
    expect(resolveStreamListKinds(['sse'])).toEqual(['sse']);
    expect(resolveStreamListKinds(['websocket'])).toEqual(['poll']);
  });
});
