import type { EventInput, HeraldEvent } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../src/index.js';
import type { ClientOptions, FetchFunction } from '../src/types.js';
import { FakeHerald } from './support/fake-herald.js';
import { FakeWebSocket } from './support/fake-websocket.js';

/** A client on a fake server whose HTTP side can be taken down (every request fails as on a dead network). */
function setup(options: Partial<ClientOptions> = {}) {
  const server = new FakeHerald();
  let isDown = false;
  /** Every publish attempt that left the client, failed ones included: its id and type. */
  const attempts: { id: string | undefined; type: string }[] = [];
  const fetch: FetchFunction = async (input, init) => {
    if (init?.method === 'POST') {
      const body = JSON.parse(String(init.body)) as EventInput;
      attempts.push({ id: body.id, type: body.type });
    }
    if (isDown) throw new TypeError('fetch failed');
    return server.fetch(input, init);
  };
  const herald = createClient({ url: 'http://herald.test', fetch, WebSocket: FakeWebSocket, ...options });
  return {
    server,
    herald,
    attempts,
    setDown: (value: boolean) => {
      isDown = value;
    },
  };
}

async function settle(ms = 0) {
  await vi.advanceTimersByTimeAsync(ms);
}

describe('optimistic publish outbox (seed 004)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('keeps publishes made during an outage pending, and sends them once, in order, with their ids when the connection returns', async () => {
    const { server, herald, attempts, setDown } = setup();
    const sub = herald.subscribe('run:a');
    await settle();
    FakeWebSocket.last.accept();
    setDown(true);
    FakeWebSocket.last.drop(1006);
    const results = ['a', 'b', 'c'].map((id) =>
      herald.publish('run:a', { id, type: 'rename', state: { name: id } }, { optimistic: true }),
    );
    expect(sub.snapshot()).toMatchObject({ state: { name: 'c' }, pending: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] });
    // A minute of outage: far more than the 5 attempts of a plain publish, all of them for the first event.
    await settle(60_000);
    expect(attempts.length).toBeGreaterThan(5);
    expect(new Set(attempts.map((attempt) => attempt.id))).toEqual(new Set(['a']));
    expect(sub.snapshot().pending.map((event) => event.id)).toEqual(['a', 'b', 'c']);

    setDown(false);
    FakeWebSocket.last.accept();
    await settle();
    await expect(Promise.all(results)).resolves.toMatchObject([{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
    expect(server.events('run:a').map((event) => event.id)).toEqual(['a', 'b', 'c']);
    // Pending until the echoes arrive, then settled.
    for (const event of server.events('run:a')) FakeWebSocket.last.push({ op: 'event', ...event });
    expect(sub.snapshot()).toMatchObject({ state: { name: 'c' }, pending: [], seq: 3 });
    herald.close();
  });

  it('sends one event of a stream at a time, so a slow or retried one is never overtaken', async () => {
    const { server, herald } = setup();
    server.failNext(1, 'lost-response');
    const first = herald.publish('run:a', { id: 'first', type: 'step' }, { optimistic: true });
    const second = herald.publish('run:a', { id: 'second', type: 'step' }, { optimistic: true });
    await settle(5000);
    await Promise.all([first, second]);
    // The first landed, its answer was lost, its retry got the same seq back, and only then the second left.
    expect(server.publishBodies.map((body) => body.id)).toEqual(['first', 'first', 'second']);
    expect(server.events('run:a').map((event: HeraldEvent) => [event.id, event.seq])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
    herald.close();
  });

  it('rolls back only the refused event on a definitive refusal, and still sends the ones after it', async () => {
    const server = new FakeHerald();
    const fetch: FetchFunction = async (input, init) => {
      const isHuge = init?.method === 'POST' && String(init.body).includes('"huge"');
      if (isHuge)
        return new Response(JSON.stringify({ error: { code: 'payload_too_large', message: 'too big' } }), {
          status: 413,
        });
      return server.fetch(input, init);
    };
    const herald = createClient({ url: 'http://herald.test', fetch, WebSocket: FakeWebSocket });
    const sub = herald.subscribe('run:a');
    const a = herald.publish('run:a', { id: 'a', type: 'step', state: { a: 1 } }, { optimistic: true });
    const huge = herald.publish('run:a', { id: 'huge', type: 'huge', state: { huge: 1 } }, { optimistic: true });
    const b = herald.publish('run:a', { id: 'b', type: 'step', state: { b: 1 } }, { optimistic: true });
    await expect(huge).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(Promise.all([a, b])).resolves.toMatchObject([{ seq: 1 }, { seq: 2 }]);
    expect(sub.snapshot()).toMatchObject({ state: { a: 1, b: 1 }, pending: [{ id: 'a' }, { id: 'b' }] });
    expect(server.events('run:a').map((event) => event.id)).toEqual(['a', 'b']);
    herald.close();
  });

  it('rolls an event back once it has waited outboxExpiryMs, and the next one then leaves', async () => {
    const { herald, attempts, setDown } = setup({ outboxExpiryMs: 10_000 });
    const sub = herald.subscribe('run:a');
    setDown(true);
    const first = herald.publish('run:a', { id: 'first', type: 'step', state: { n: 1 } }, { optimistic: true });
    const rejected = expect(first).rejects.toMatchObject({ code: 'unavailable', message: 'not sent within 10000 ms' });
    await settle(9000);
    const second = herald.publish('run:a', { id: 'second', type: 'step', state: { n: 2 } }, { optimistic: true });
    expect(sub.snapshot().pending.map((event) => event.id)).toEqual(['first', 'second']);
    await settle(1500);
    await rejected;
    expect(sub.snapshot().pending.map((event) => event.id)).toEqual(['second']);
    expect(attempts.at(-1)?.id).toBe('second');
    setDown(false);
    await settle(3000);
    await expect(second).resolves.toMatchObject({ seq: 1 });
    herald.close();
  });

  it('sends nothing while the browser is offline, and everything at once when it is back online', async () => {
    const network = new EventTarget();
    vi.stubGlobal('addEventListener', network.addEventListener.bind(network));
    vi.stubGlobal('removeEventListener', network.removeEventListener.bind(network));
    const { server, herald, attempts } = setup();
    const sub = herald.subscribe('run:a');
    network.dispatchEvent(new Event('offline'));
    const results = [1, 2].map((n) => herald.publish('run:a', { id: `e${n}`, type: 'step' }, { optimistic: true }));
    await settle(60_000);
    expect(attempts).toEqual([]);
    expect(sub.snapshot().pending).toHaveLength(2);
    network.dispatchEvent(new Event('online'));
    await settle();
    await expect(Promise.all(results)).resolves.toHaveLength(2);
    expect(server.events('run:a').map((event) => event.id)).toEqual(['e1', 'e2']);
    herald.close();
  });

  it('rolls back what is still waiting when the client is closed', async () => {
    const { herald, setDown } = setup();
    const sub = herald.subscribe('run:a');
    setDown(true);
    const waiting = herald.publish('run:a', { id: 'late', type: 'step' }, { optimistic: true });
    await settle(1000);
    herald.close();
    await expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
    expect(sub.snapshot().pending).toEqual([]);
  });
});
