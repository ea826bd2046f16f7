import { HeraldError } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_CAP_MS } from '../../src/status.js';
import { TransportLadder } from '../../src/transports/ladder.js';
import type { Transport, TransportListener } from '../../src/transports/transport.js';
import type { ConnectionStatus, TransportKind } from '../../src/types.js';

interface FakeTransport extends Transport {
  listener: TransportListener;
  added: string[];
  isClosed: boolean;
}

function setup(options: { kinds?: TransportKind[]; refreshToken?: () => Promise<boolean> } = {}) {
  const created: FakeTransport[] = [];
  const statuses: ConnectionStatus[] = [];
  let reconnects = 0;
  const ladder = new TransportLadder({
    kinds: options.kinds ?? ['websocket', 'sse', 'longpoll', 'poll'],
    create: (kind, listener) => {
      const transport: FakeTransport = {
        kind,
        listener,
        added: [],
        isClosed: false,
        open: () => {},
        add: (stream) => transport.added.push(stream),
        remove: () => {},
        close: () => {
          transport.isClosed = true;
        },
      };
      created.push(transport);
      return transport;
    },
    onFrame: () => {},
    onStatus: (status) => statuses.push(status),
    onError: () => {},
    onReconnect: () => {
      reconnects += 1;
    },
    refreshToken: options.refreshToken ?? (async () => false),
    probeIntervalMs: 30_000,
    random: () => 0.5,
  });
  const last = () => created.at(-1) as FakeTransport;
  return { ladder, created, statuses, last, reconnects: () => reconnects };
}

const unavailable = () => new HeraldError('unavailable', 'refused');

describe('TransportLadder', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects on the first stream and reports live on a push transport', () => {
    const { ladder, created, statuses, last } = setup();
    ladder.add('run:1');
    expect(created.map((t) => t.kind)).toEqual(['websocket']);
    last().listener.onOpen();
    expect(statuses).toEqual(['live']);
  });

  it('moves one rung down after two failures to connect, then on through each rung, waiting after an HTTP rung that found no server', async () => {
    const { ladder, created, statuses, last } = setup();
    ladder.add('run:1');
    last().listener.onError(unavailable());
    // random() = 0.5: the first failure waits half of 500 ms before the second WebSocket attempt.
    await vi.advanceTimersByTimeAsync(250);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket']);
    // A failure right after a failure gives the rung up: the next rung is tried without a wait.
    last().listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(0);
    expect(last().kind).toBe('sse');
    // An HTTP rung that finds no server ends the pass: the other HTTP rungs would find the same, so
    // each next one comes after a backoff wait (below the 3 s ceiling), not at once.
    for (const kind of ['longpoll', 'poll']) {
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(0);
      expect(created).toHaveLength(kind === 'longpoll' ? 3 : 4);
      await vi.advanceTimersByTimeAsync(RECONNECT_CAP_MS);
      expect(last().kind).toBe(kind);
    }
    last().listener.onOpen();
    expect(statuses.at(-1)).toBe('polling');
    expect(statuses).toContain('reconnecting');
  });

  it('moves down at once when a transport is refused outright', async () => {
    const { ladder, created, last } = setup();
    ladder.add('run:1');
    last().listener.onError(new HeraldError('forbidden', 'proxy says no'));
    await vi.advanceTimersByTimeAsync(250);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'sse']);
  });

  it('waits a full-jitter backoff that grows from 500 ms', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket'] });
    ladder.add('run:1');
    last().listener.onError(unavailable());
    // random() = 0.5: half of 500 ms, then half of 1000 ms.
    await vi.advanceTimersByTimeAsync(249);
    expect(created).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(created).toHaveLength(2);
    last().listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(499);
    expect(created).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(created).toHaveLength(3);
  });

  it('retries soon after losing a connection that was stable, however long the backoff had grown', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket'] });
    ladder.add('run:1');
    for (let i = 0; i < 4; i += 1) {
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(30_000);
    }
    last().listener.onOpen();
    last().listener.onFrame({ op: 'live', stream: 'run:1', seq: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    last().listener.onError(unavailable());
    const before = created.length;
    // random() = 0.5: half of the 500 ms base again.
    await vi.advanceTimersByTimeAsync(250);
    expect(created).toHaveLength(before + 1);
  });

  it('keeps growing the backoff for connections that open and drop before proving stable', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket'] });
    ladder.add('run:1');
    for (let i = 0; i < 3; i += 1) {
      last().listener.onOpen();
      last().listener.onFrame({ op: 'hb' });
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(30_000);
    }
    last().listener.onOpen();
    last().listener.onError(unavailable());
    const before = created.length;
    // The fourth failure in a row: half of 4000 ms, capped at RECONNECT_CAP_MS (3000 ms) for `unavailable`.
    await vi.advanceTimersByTimeAsync(1499);
    expect(created).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(created).toHaveLength(before + 1);
  });

  it('reconnects at once on a service restart (1012) of a working, stable session without counting a failure', async () => {
    const { ladder, created, last } = setup();
    ladder.add('run:1');
    last().listener.onOpen();
    last().listener.onFrame({ op: 'live', stream: 'run:1', seq: 0 });
    await vi.advanceTimersByTimeAsync(10_000);
    last().listener.onError(new HeraldError('shutting_down', 'restart'));
    last().listener.onError(new HeraldError('shutting_down', 'restart'));
    await vi.advanceTimersByTimeAsync(0);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket']);
  });

  it('backs off from a server that answers every connection shutting_down before serving it', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket'] });
    ladder.add('run:1');
    for (let i = 0; i < 3; i += 1) {
      last().listener.onOpen();
      last().listener.onError(new HeraldError('shutting_down', 'draining'));
      last().listener.onError(new HeraldError('shutting_down', 'draining'));
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(created).toHaveLength(1);
    // random() = 0.5: half of 500 ms, as for any first failure.
    await vi.advanceTimersByTimeAsync(250);
    expect(created).toHaveLength(2);
  });

  it('refreshes the token and reconnects at once when it expired', async () => {
    const refreshToken = vi.fn(async () => true);
    const { ladder, created, last } = setup({ refreshToken });
    ladder.add('run:1');
    last().listener.onOpen();
    last().listener.onError(new HeraldError('token_expired', 'expired'));
    await vi.advanceTimersByTimeAsync(0);
    expect(refreshToken).toHaveBeenCalledTimes(1);
    expect(created).toHaveLength(2);
  });

  it('backs off between refreshes when each fresh token is refused as expired again', async () => {
    // getToken keeps answering, but with tokens the server finds expired (clocks apart, a broken issuer).
    const refreshToken = vi.fn(async () => true);
    const { ladder, created, last } = setup({ kinds: ['sse'], refreshToken });
    ladder.add('run:1');
    for (let elapsedMs = 0; elapsedMs < 60_000; elapsedMs += 100) {
      const current = last();
      if (!current.isClosed) current.listener.onError(new HeraldError('token_expired', 'expired'));
      await vi.advanceTimersByTimeAsync(100);
    }
    // Jitter 0.5: 0, 0.5, 1, 2, 4, 8 and then 15 s apart; a loop would make hundreds.
    expect(refreshToken.mock.calls.length).toBeLessThanOrEqual(10);
    expect(created.length).toBeLessThanOrEqual(11);
  });

  it('probes the best rung as soon as a lower one opens, and hands over when the probe opens', async () => {
    const { ladder, statuses, last, reconnects } = setup({ kinds: ['websocket', 'sse'] });
    ladder.add('run:1');
    for (let i = 0; i < 2; i += 1) {
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(30_000);
    }
    const sse = last();
    sse.listener.onOpen();
    expect(statuses.at(-1)).toBe('live');
    await vi.advanceTimersByTimeAsync(0);
    const probe = last();
    expect(probe.kind).toBe('websocket');
    expect(sse.isClosed).toBe(false);
    probe.listener.onOpen();
    expect(sse.isClosed).toBe(true);
    expect(ladder.kind).toBe('websocket');
    expect(reconnects()).toBe(3);
  });

  it('goes back at once to the transport a probe replaced when the promoted one fails before it is stable, and probes again only after the interval', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket', 'sse'] });
    ladder.add('run:1');
    last().listener.onError(new HeraldError('forbidden', 'proxy says no'));
    await vi.advanceTimersByTimeAsync(0);
    last().listener.onOpen();
    await vi.advanceTimersByTimeAsync(0);
    // The WebSocket probe opens and takes over, then its proxy cuts it.
    const probe = last();
    expect(probe.kind).toBe('websocket');
    probe.listener.onOpen();
    probe.listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(0);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'sse', 'websocket', 'sse']);
    last().listener.onOpen();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(created).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(last().kind).toBe('websocket');
  });

  it('keeps the current transport when a probe fails, and probes again later', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket', 'sse'] });
    ladder.add('run:1');
    for (let i = 0; i < 2; i += 1) {
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(30_000);
    }
    const sse = last();
    sse.listener.onOpen();
    await vi.advanceTimersByTimeAsync(30_000);
    last().listener.onError(unavailable());
    expect(sse.isClosed).toBe(false);
    expect(ladder.kind).toBe('sse');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket', 'sse', 'websocket', 'websocket']);
  });

  it('never gives up: after the last rung it starts over at the first, with a backoff wait between passes', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket', 'poll'] });
    ladder.add('run:1');
    last().listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(250);
    for (let i = 0; i < 2; i += 1) {
      last().listener.onError(unavailable());
      await vi.advanceTimersByTimeAsync(0);
    }
    // websocket (waits), websocket (gives it up), poll at once, then the pass is over: a wait.
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket', 'poll']);
    // The third failure in a row: half of min(3000, 500·2²) ms.
    await vi.advanceTimersByTimeAsync(999);
    expect(created).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket', 'poll', 'websocket']);
    last().listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(0);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket', 'poll', 'websocket', 'poll']);
  });

  it('waits between passes as long as an overload answer asks when no rung found the server down', async () => {
    const { ladder, created, last } = setup({ kinds: ['websocket', 'poll'] });
    ladder.add('run:1');
    last().listener.onError(new HeraldError('forbidden', 'proxy says no'));
    await vi.advanceTimersByTimeAsync(0);
    last().listener.onError(new HeraldError('forbidden', 'proxy says no'));
    // Both refused: half of min(30 s, 500·2¹) ms, not a loop of refused requests.
    await vi.advanceTimersByTimeAsync(499);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'poll']);
    await vi.advanceTimersByTimeAsync(1);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'poll', 'websocket']);
  });

  it('closes its transports while offline, opens none, and reconnects at once when the network comes back (I8)', async () => {
    const { ladder, created, statuses, last } = setup();
    ladder.add('run:1');
    last().listener.onOpen();
    ladder.setOffline();
    expect(statuses.at(-1)).toBe('offline');
    expect(last().isClosed).toBe(true);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(created).toHaveLength(1);
    ladder.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(created.map((t) => t.kind)).toEqual(['websocket', 'websocket']);
    last().listener.onOpen();
    expect(statuses.at(-1)).toBe('live');
  });

  it('makes no request when it starts offline, until the network comes back (I8)', async () => {
    const { ladder, created } = setup();
    ladder.setOffline();
    ladder.add('run:1');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(created).toHaveLength(0);
    ladder.reconnectNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(created).toHaveLength(1);
  });

  it('ignores reports from a transport it has replaced', async () => {
    const { ladder, created, statuses } = setup({ kinds: ['websocket'] });
    ladder.add('run:1');
    const first = created[0] as FakeTransport;
    first.listener.onError(unavailable());
    await vi.advanceTimersByTimeAsync(30_000);
    first.listener.onOpen();
    first.listener.onError(unavailable());
    expect(statuses).toEqual(['reconnecting']);
    expect(created).toHaveLength(2);
  });
});
