import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { ConnectionLimiter } from '../../src/limits/connection-limiter.js';
import { ShutdownHooks } from '../../src/ops/shutdown-hooks.js';
import { LiveConnections } from '../../src/transports/live-connections.js';
import { FakeLiveWire } from '../support/fake-live-wire.js';

const HEARTBEAT_INTERVAL_MS = 16_000;
const MAX_BUFFERED_BYTES = 1000;
const ANONYMOUS = { kind: 'anonymous' } as unknown as Principal;

function createRegistry(maxPerIp = 2) {
  const shutdown = new ShutdownHooks();
  const gauges = { websocket: { value: 0 }, sse: { value: 0 } };
  const drain = vi.fn(async () => {});
  const live = new LiveConnections(
    {
      shutdown,
      connections: new ConnectionLimiter(maxPerIp),
      publisher: { drain },
      gauge: {
        labels: (transport) => ({
          inc: () => {
            gauges[transport].value += 1;
          },
          dec: () => {
            gauges[transport].value -= 1;
          },
        }),
      },
    },
    { heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS, maxBufferedBytes: MAX_BUFFERED_BYTES },
  );
  const open = (kind: 'websocket' | 'sse', principal = ANONYMOUS) => {
    const wire = new FakeLiveWire();
    const release = live.admit('10.0.0.1');
    const onEnd = vi.fn();
    const connection = live.open(kind, wire, { principal, release, onEnd });
    return { wire, connection, onEnd };
  };
  return { live, shutdown, gauges, drain, open };
}

// Heartbeats, expiry and close timeouts run on fake time.
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('LiveConnections', () => {
  it('admits connections up to the per-IP limit and gives a closed one its place back', () => {
    const { live, open } = createRegistry(1);
    const { wire } = open('sse');
    expect(() => live.admit('10.0.0.1')).toThrow(expect.objectContaining({ code: 'too_many_connections' }));
    wire.closedByPeer();
    expect(() => live.admit('10.0.0.1')).not.toThrow();
  });

  it('refuses new connections with shutting_down once shutdown has begun', async () => {
    const { live, shutdown } = createRegistry();
    expect(() => live.assertAccepting()).not.toThrow();
    await shutdown.run();
    expect(() => live.assertAccepting()).toThrow(expect.objectContaining({ code: 'shutting_down' }));
  });

  it('counts open connections by wire in the gauge, once each', () => {
    const { gauges, open } = createRegistry();
    const websocket = open('websocket');
    open('sse');
    expect(gauges).toEqual({ websocket: { value: 1 }, sse: { value: 1 } });
    websocket.connection.end('final');
    websocket.wire.closedByPeer();
    websocket.wire.closedByPeer();
    expect(gauges).toEqual({ websocket: { value: 0 }, sse: { value: 1 } });
  });

  it('ends every connection with shutdown after the publishes in flight are acknowledged', async () => {
    const { shutdown, drain, open } = createRegistry();
    const websocket = open('websocket');
    const sse = open('sse');
    await shutdown.run();
    expect(drain).toHaveBeenCalledOnce();
    expect(websocket.wire.closes).toEqual(['shutdown']);
    expect(sse.wire.closes).toEqual(['shutdown']);
    expect(websocket.onEnd).toHaveBeenCalledOnce();
  });
});

describe.each(['websocket', 'sse'] as const)('LiveConnection over %s', (kind) => {
  it('sends the wire heartbeat once the connection has been idle for the interval, not while it writes', () => {
    const { open } = createRegistry();
    const { wire, connection } = open(kind);
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS / 2);
    connection.write(Buffer.from('event'));
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS / 2 + 100);
    expect(wire.sent).toEqual(['event']);
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS / 2);
    expect(wire.sent).toEqual(['event', 'hb']);
  });

  it('ends a slow consumer at the first write of a tick once its backlog passes maxBufferedBytes', async () => {
    const { open } = createRegistry();
    const { wire, connection, onEnd } = open(kind);
    wire.buffer.writableLength = MAX_BUFFERED_BYTES;
    connection.write(Buffer.from('at the bound'));
    await vi.advanceTimersByTimeAsync(0);
    wire.buffer.writableLength = MAX_BUFFERED_BYTES + 1;
    connection.write(Buffer.from('past the bound'));
    connection.write(Buffer.from('after the cut'));
    expect(wire.sent).toEqual(['at the bound']);
    expect(wire.closes).toEqual(['slow_consumer']);
    expect(onEnd).toHaveBeenCalledOnce();
  });

  it('holds a catch-up while the backlog is over half the bound, until it drains', async () => {
    const { open } = createRegistry();
    const { wire, connection } = open(kind);
    wire.buffer.writableLength = MAX_BUFFERED_BYTES / 2;
    wire.buffer.writableNeedDrain = true;
    expect(connection.ready()).toBeUndefined();
    wire.buffer.writableLength = MAX_BUFFERED_BYTES / 2 + 1;
    const ready = connection.ready();
    expect(ready).toBeInstanceOf(Promise);
    wire.buffer.emit('drain');
    await expect(ready).resolves.toBeUndefined();
  });

  it('lets the catch-ups held on one connection go one per turn of the event loop, and fails them if it closes', async () => {
    const { open } = createRegistry();
    const { wire, connection } = open(kind);
    wire.buffer.writableLength = MAX_BUFFERED_BYTES;
    wire.buffer.writableNeedDrain = true;
    const released: number[] = [];
    const waits = [1, 2, 3].map((n) => connection.ready()!.then(() => released.push(n)));
    // One wait for the drain, whatever the number of catch-ups held.
    expect(wire.buffer.listenerCount('drain')).toBe(1);
    wire.buffer.writableLength = 0;
    wire.buffer.writableNeedDrain = false;
    wire.buffer.emit('drain');
    // The first one let go fills the buffer again: the others wait for the next drain.
    wire.buffer.writableLength = MAX_BUFFERED_BYTES;
    wire.buffer.writableNeedDrain = true;
    await vi.advanceTimersToNextTimerAsync();
    expect(released).toEqual([1]);
    expect(wire.buffer.listenerCount('drain')).toBe(1);
    wire.buffer.writableLength = 0;
    wire.buffer.writableNeedDrain = false;
    wire.buffer.emit('drain');
    // One asking while there is room goes on, held ones or not: the one just let go asks again.
    expect(connection.ready()).toBeUndefined();
    await vi.advanceTimersToNextTimerAsync();
    expect(released).toEqual([1, 2, 3]);
    await Promise.all(waits);

    wire.buffer.writableLength = MAX_BUFFERED_BYTES;
    wire.buffer.writableNeedDrain = true;
    const held = connection.ready();
    wire.closedByPeer();
    await expect(held).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('gives its one catch-up turn to one catch-up at a time, in order, while the buffer has room', async () => {
    const { open } = createRegistry();
    const { wire, connection } = open(kind);
    expect(connection.takeTurn()).toBeUndefined();
    const taken: number[] = [];
    const waits = [1, 2].map((n) => connection.takeTurn()!.then(() => taken.push(n)));
    await vi.advanceTimersToNextTimerAsync();
    expect(taken).toEqual([]);
    // Given back while the buffer is full: the next one waits for the drain, not just the turn.
    wire.buffer.writableLength = MAX_BUFFERED_BYTES;
    wire.buffer.writableNeedDrain = true;
    connection.endTurn();
    await vi.advanceTimersToNextTimerAsync();
    expect(taken).toEqual([]);
    wire.buffer.writableLength = 0;
    wire.buffer.writableNeedDrain = false;
    wire.buffer.emit('drain');
    await vi.advanceTimersToNextTimerAsync();
    expect(taken).toEqual([1]);
    connection.endTurn();
    await vi.advanceTimersToNextTimerAsync();
    expect(taken).toEqual([1, 2]);
    await Promise.all(waits);
    connection.endTurn();

    expect(connection.takeTurn()).toBeUndefined();
    const waiting = connection.takeTurn();
    wire.closedByPeer();
    await expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('ends with expired when the token expires, and at the renewed expiry after a new token', () => {
    const { open } = createRegistry();
    const now = Date.now();
    const { wire, connection } = open(kind, { ...ANONYMOUS, expiresAtMs: now + 1000 } as Principal);
    connection.renewExpiry({ ...ANONYMOUS, expiresAtMs: now + 5000 } as Principal);
    vi.advanceTimersByTime(4999);
    expect(wire.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(wire.closes).toEqual(['expired']);
  });

  it('closes again at shutdown a connection that ended but whose wire is still closing', async () => {
    const { shutdown, open } = createRegistry();
    const { wire, connection } = open(kind);
    connection.end('expired');
    await shutdown.run();
    expect(wire.closes).toEqual(['expired', 'shutdown']);
  });

  it('ends once, and writes nothing after', () => {
    const { open } = createRegistry();
    const { wire, connection, onEnd } = open(kind);
    connection.end('final');
    connection.end('failed');
    connection.write(Buffer.from('late'));
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS * 2);
    expect(wire.sent).toEqual([]);
    expect(wire.closes).toEqual(['final']);
    expect(onEnd).toHaveBeenCalledOnce();
  });
});
