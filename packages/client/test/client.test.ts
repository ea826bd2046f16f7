import type { HeraldEvent } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/index.js';
import type { ClientOptions } from '../src/types.js';
import { FakeHerald } from './support/fake-herald.js';
import { FakeWebSocket } from './support/fake-websocket.js';

function setup(options: Partial<ClientOptions> = {}) {
  const server = new FakeHerald();
  const herald = createClient({ url: 'http://herald.test', fetch: server.fetch, WebSocket: FakeWebSocket, ...options });
  return { server, herald };
}

async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('createClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('multiplexes subscriptions on one WebSocket and delivers their events', async () => {
    const { server, herald } = setup();
    const seen: string[] = [];
    herald.subscribe('run:a', { onEvent: (event) => seen.push(`${event.stream}/${event.seq}`) });
    herald.subscribe('run:b', { onEvent: (event) => seen.push(`${event.stream}/${event.seq}`) });
    await settle();
    const socket = FakeWebSocket.last;
    socket.accept();
    expect(herald.status).toBe('live');
    for (const stream of ['run:a', 'run:b']) {
      socket.push({ op: 'subscribed', stream, epoch: `epoch-${stream}`, seq: 0, firstSeq: 1, final: false });
      socket.push({ op: 'event', ...server.publish(stream, { type: 'step' }) });
    }
    expect(FakeWebSocket.sockets).toHaveLength(1);
    expect(seen).toEqual(['run:a/1', 'run:b/1']);
    expect(herald.stats()).toMatchObject({ transport: 'websocket', eventsDelivered: 2, polls: 0 });
    herald.close();
  });

  it('resumes after the last delivered seq when the connection comes back', async () => {
    const { server, herald } = setup();
    const statuses: string[] = [];
    herald.on('status', (status) => statuses.push(status));
    const sub = herald.subscribe('run:a');
    await settle();
    FakeWebSocket.last.accept();
    const first = server.publish('run:a', { type: 'step' });
    FakeWebSocket.last.push({ op: 'event', ...first });
    // A stable session (open 10 s) that the server restarts is reconnected to at once.
    await settle(10_000);
    FakeWebSocket.last.drop(1012, 'restart');
    await settle();
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.subs()).toMatchObject([{ stream: 'run:a', after: 1 }]);
    expect(statuses).toEqual(['live', 'reconnecting', 'live']);
    expect(herald.stats().reconnects).toBe(1);
    expect(sub.snapshot().seq).toBe(1);
    herald.close();
  });

  it('is live again within the 3 s reconnect ceiling when a server it had just reached restarts (seed 003: green within 5 s)', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const { herald } = setup({ transports: ['websocket'] });
    herald.subscribe('run:a');
    await settle();
    // The server is still starting: refused attempts grow the backoff, capped at 3 s for `unavailable`.
    for (let i = 0; i < 4; i += 1) {
      FakeWebSocket.last.drop(1006);
      await settle(30_000);
    }
    FakeWebSocket.last.accept();
    FakeWebSocket.last.push({ op: 'subscribed', stream: 'run:a', epoch: 'e', seq: 0, firstSeq: 1, final: false });
    FakeWebSocket.last.drop(1006);
    // A session that served a frame and died at once does not start the backoff over (a rung that
    // serves and fails would be reconnected to in a loop): random() = 0.99 of the 3 s ceiling.
    const before = FakeWebSocket.sockets.length;
    await settle(2969);
    expect(FakeWebSocket.sockets).toHaveLength(before);
    await settle(1);
    expect(FakeWebSocket.sockets).toHaveLength(before + 1);
    FakeWebSocket.last.accept();
    expect(herald.status).toBe('live');
    herald.close();
  });

  it("shows the subscription's own status and lastEventAt from connecting to live, reconnecting and final", async () => {
    const start = Date.parse('2026-01-01T10:00:00.000Z');
    vi.setSystemTime(start);
    const { server, herald } = setup({ transports: ['websocket'] });
    const sub = herald.subscribe('run:a');
    expect(sub.snapshot()).toMatchObject({ status: 'connecting', lastEventAt: null });
    await settle();
    const socket = FakeWebSocket.last;
    socket.accept();
    socket.push({ op: 'subscribed', stream: 'run:a', epoch: 'epoch-run:a', seq: 0, firstSeq: 1, final: false });
    expect(sub.snapshot()).toMatchObject({ status: 'live', lastEventAt: null });
    await settle(2000);
    socket.push({ op: 'event', ...server.publish('run:a', { type: 'step' }) });
    expect(sub.snapshot()).toMatchObject({ status: 'live', lastEventAt: start + 2000 });
    socket.drop(1006);
    expect(sub.snapshot()).toMatchObject({ status: 'reconnecting', lastEventAt: start + 2000 });
    await settle(30_000);
    expect(FakeWebSocket.sockets).toHaveLength(2);
    FakeWebSocket.last.accept();
    await settle(1000);
    FakeWebSocket.last.push({ op: 'event', ...server.publish('run:a', { type: 'done', final: true }) });
    const finalAt = start + 33_000;
    expect(sub.snapshot()).toMatchObject({ status: 'final', final: true, lastEventAt: finalAt });
    FakeWebSocket.last.drop(1006);
    await settle(60_000);
    expect(sub.snapshot()).toMatchObject({ status: 'final', final: true, lastEventAt: finalAt, seq: 2 });
    herald.close();
  });

  it("shows a subscription's status as polling once the ladder falls back to long-polling", async () => {
    const { server, herald } = setup({ transports: ['websocket', 'longpoll'] });
    const sub = herald.subscribe('run:a');
    const before = Date.now();
    server.publish('run:a', { type: 'step' });
    await settle();
    FakeWebSocket.last.drop(1006);
    expect(sub.snapshot().status).toBe('reconnecting');
    await settle(1000);
    FakeWebSocket.last.drop(1006);
    await settle(2000);
    expect(sub.snapshot()).toMatchObject({ status: 'polling', seq: 1 });
    expect(sub.snapshot().lastEventAt).toBeGreaterThanOrEqual(before);
    expect(sub.snapshot().lastEventAt).toBeLessThanOrEqual(Date.now());
    herald.close();
  });

  it('falls back to long-polling when the WebSocket upgrade is refused', async () => {
    const { server, herald } = setup({ transports: ['websocket', 'longpoll'] });
    const delivered: number[] = [];
    herald.subscribe('run:a', { onEvent: (event) => delivered.push(event.seq) });
    server.publish('run:a', { type: 'step' });
    await settle();
    FakeWebSocket.last.drop(1006);
    await settle(1000);
    FakeWebSocket.last.drop(1006);
    await settle(2000);
    expect(herald.status).toBe('polling');
    expect(herald.stats().transport).toBe('longpoll');
    expect(delivered).toEqual([1]);
    herald.close();
  });

  it('publishes with a generated id and retries a retryable failure with the same id', async () => {
    const { server, herald } = setup();
    server.failNext(2);
    const result = herald.publish('run:a', { type: 'started', data: { n: 1 } });
    await settle(5000);
    await expect(result).resolves.toMatchObject({ seq: 1 });
    expect(server.publishBodies).toHaveLength(3);
    const [id] = server.publishBodies.map((body) => body.id);
    expect(id).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(server.publishBodies.map((body) => body.id)).toEqual([id, id, id]);
    expect(server.events('run:a')).toMatchObject([{ seq: 1, id }]);
  });

  it('retries a publish whose response was lost, and the retry gets the original seq without a duplicate (G5)', async () => {
    const server = new FakeHerald();
    server.publish('run:a', { type: 'earlier' });
    const statuses: number[] = [];
    const herald = createClient({
      url: 'http://herald.test',
      WebSocket: FakeWebSocket,
      fetch: async (input, init) => {
        const response = await server.fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    });
    server.failNext(1, 'lost-response');
    const result = herald.publish('run:a', { type: 'started' });
    await settle(5000);
    await expect(result).resolves.toMatchObject({ seq: 2 });
    const [first, retry] = server.publishBodies;
    expect(server.publishBodies).toHaveLength(2);
    expect(retry?.id).toBe(first?.id);
    // The first attempt's response never arrived; the retry is acknowledged as an idempotent repeat.
    expect(statuses).toEqual([200]);
    expect(server.events('run:a').map((event) => [event.seq, event.id])).toEqual([
      [1, 'run:a#1'],
      [2, first?.id],
    ]);
  });

  it('does not retry a publish the server rejected for good', async () => {
    const fetch = vi.fn(new FakeHerald().fetch);
    const rejecting = createClient({
      url: 'http://herald.test',
      WebSocket: FakeWebSocket,
      fetch: async (input, init) => {
        await fetch(input, init);
        return new Response(JSON.stringify({ error: { code: 'stream_final', message: 'closed' } }), { status: 409 });
      },
    });
    await expect(rejecting.publish('run:a', { type: 'late' })).rejects.toMatchObject({ code: 'stream_final' });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('applies an optimistic publish at once and reconciles it with the echo', async () => {
    const { server, herald } = setup();
    const sub = herald.subscribe('run:a');
    await settle();
    FakeWebSocket.last.accept();
    const publishing = herald.publish('run:a', { type: 'rename', state: { name: 'new' } }, { optimistic: true });
    expect(sub.snapshot()).toMatchObject({ state: { name: 'new' }, pending: [{ type: 'rename' }] });
    await publishing;
    const echo = server.events('run:a')[0] as HeraldEvent;
    FakeWebSocket.last.push({ op: 'event', ...echo });
    expect(sub.snapshot()).toMatchObject({ state: { name: 'new' }, pending: [], seq: 1 });
    herald.close();
  });

  it('rolls an optimistic publish back when it fails', async () => {
    const server = new FakeHerald();
    const herald = createClient({
      url: 'http://herald.test',
      WebSocket: FakeWebSocket,
      fetch: async (input, init) =>
        init?.method === 'POST'
          ? new Response(JSON.stringify({ error: { code: 'forbidden', message: 'no' } }), { status: 403 })
          : server.fetch(input, init),
    });
    const sub = herald.subscribe('run:a');
    const publishing = herald.publish('run:a', { type: 'rename', state: { name: 'new' } }, { optimistic: true });
    expect(sub.snapshot().state).toEqual({ name: 'new' });
    await expect(publishing).rejects.toMatchObject({ code: 'forbidden' });
    expect(sub.snapshot()).toMatchObject({ state: null, pending: [] });
    herald.close();
  });

  it('fetches the first token from getToken and refreshes it when the server says it expired', async () => {
    let issued = 0;
    const { herald } = setup({ getToken: async () => `token-${++issued}` });
    herald.subscribe('run:a');
    await settle();
    expect(FakeWebSocket.last.url).toBe('ws://herald.test/v1/ws?token=token-1');
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop(4001, 'expired');
    await settle();
    expect(FakeWebSocket.last.url).toBe('ws://herald.test/v1/ws?token=token-2');
    herald.close();
  });

  it('emits an error event when the server refuses a token refresh sent as auth (issue 12, item 14)', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    const jwt = (n: number) =>
      [
        btoa(JSON.stringify({ alg: 'HS256' })),
        btoa(JSON.stringify({ sub: `user-${n}`, exp: expiresAt + (n - 1) * 60 })),
        'sig',
      ].join('.');
    let issued = 0;
    const { herald } = setup({ getToken: async () => jwt(++issued) });
    const errors: { code: string; message: string }[] = [];
    herald.on('error', (error) => errors.push({ code: error.code, message: error.message }));
    herald.subscribe('run:a');
    await settle();
    FakeWebSocket.last.accept();
    // A quarter of its 60 s life before exp (15 s, under 30 s) the client fetches a fresh token and
    // sends it on the open connection (a heartbeat meanwhile keeps that connection alive).
    await settle(30_000);
    FakeWebSocket.last.push({ op: 'hb' });
    await settle(16_000);
    const auth = FakeWebSocket.last.sent.find((frame) => frame.op === 'auth');
    expect(auth).toMatchObject({ op: 'auth', token: jwt(2) });
    FakeWebSocket.last.push({
      op: 'error',
      ref: (auth as { ref?: number }).ref,
      code: 'unauthorized',
      message: 'bad signature',
    });
    expect(errors).toEqual([{ code: 'unauthorized', message: 'bad signature' }]);
    herald.close();
  });

  it("sends a refreshed token on a feed's open WebSocket too, instead of waiting for its 4001", async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 60;
    const jwt = (n: number) =>
      [btoa(JSON.stringify({ alg: 'HS256' })), btoa(JSON.stringify({ exp: expiresAt + (n - 1) * 60 })), 'sig'].join(
        '.',
      );
    let issued = 0;
    const { herald } = setup({ getToken: async () => jwt(++issued) });
    herald.follow({ prefix: 'run:' }, { onEvent: () => {} });
    await settle();
    const feedSocket = FakeWebSocket.last;
    feedSocket.accept();
    await settle(30_000);
    feedSocket.push({ op: 'hb' });
    await settle(16_000);
    expect(FakeWebSocket.last).toBe(feedSocket);
    expect(feedSocket.sent.find((frame) => frame.op === 'auth')).toMatchObject({ op: 'auth', token: jwt(2) });
    herald.close();
  });

  it('stops delivering a stream once its subscription closes', async () => {
    const { herald } = setup();
    const sub = herald.subscribe('run:a');
    await settle();
    FakeWebSocket.last.accept();
    sub.close();
    expect(FakeWebSocket.last.sent.map((frame) => frame.op)).toEqual(['sub', 'unsub']);
    herald.close();
  });

  it('reconnects at once when the browser comes back online', async () => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    try {
      const { herald } = setup({ transports: ['websocket'] });
      herald.subscribe('run:a');
      await settle();
      FakeWebSocket.last.accept();
      network.dispatchEvent(new Event('offline'));
      expect(herald.status).toBe('offline');
      for (let i = 0; i < 4; i += 1) {
        FakeWebSocket.last.drop(1006);
        await settle(30_000);
      }
      const attempts = FakeWebSocket.sockets.length;
      FakeWebSocket.last.drop(1006);
      network.dispatchEvent(new Event('online'));
      await settle();
      expect(FakeWebSocket.sockets.length).toBe(attempts + 1);
      herald.close();
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('refuses a presence label with invisible or bidirectional-control characters with invalid_request', () => {
    for (const label of ['admin\u202Etxt.exe', 'ali\u200Bce', '\u2066bob', 'a\u0007b', '', '   ', '\u3164', '\u2800']) {
      expect(() => setup({ label })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
    setup({ label: 'Zoë 🚀' }).herald.close();
    setup({ label: '🚀'.repeat(64) }).herald.close();
  });

  it('rejects an invalid stream name with invalid_stream_name', () => {
    const { herald } = setup();
    expect(() => herald.subscribe('no spaces')).toThrow(expect.objectContaining({ code: 'invalid_stream_name' }));
  });
});
