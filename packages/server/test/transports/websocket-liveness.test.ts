import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import { WebSocketLiveness } from '../../src/transports/websocket-liveness.js';

const INTERVAL_MS = 1600;
/** The sweep's slices: a sixteenth of the interval each. */
const SLICE_MS = INTERVAL_MS / 16;

/** A socket as the liveness check sees it: pings counted, pongs answered on demand. */
class FakeSocket extends EventEmitter {
  pings = 0;
  isTerminated = false;
  ping(): void {
    this.pings += 1;
  }
  terminate(): void {
    this.isTerminated = true;
    this.emit('close');
  }
  pong(): void {
    this.emit('pong');
  }
}

function openSockets(liveness: WebSocketLiveness, count: number): FakeSocket[] {
  const sockets = Array.from({ length: count }, () => new FakeSocket());
  for (const socket of sockets) liveness.add(socket as unknown as WebSocket);
  return sockets;
}

const totalPings = (sockets: FakeSocket[]) => sockets.reduce((sum, socket) => sum + socket.pings, 0);

describe('WebSocketLiveness', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('pings a sixteenth of the sockets at a time, so a sweep never writes to every socket at once', () => {
    const liveness = new WebSocketLiveness(INTERVAL_MS);
    const sockets = openSockets(liveness, 160);
    for (let slice = 1; slice <= 16; slice += 1) {
      vi.advanceTimersByTime(SLICE_MS);
      expect(totalPings(sockets)).toBe(10 * slice);
    }
    // One interval: every socket pinged exactly once.
    expect(sockets.every((socket) => socket.pings === 1)).toBe(true);
    for (const socket of sockets) socket.pong();
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(sockets.every((socket) => socket.pings === 2 && !socket.isTerminated)).toBe(true);
  });

  it('cuts a socket that left its previous ping unanswered within two intervals, and keeps those that answered', () => {
    const liveness = new WebSocketLiveness(INTERVAL_MS);
    const [hung, alive] = openSockets(liveness, 2) as [FakeSocket, FakeSocket];
    for (let elapsedMs = 0; elapsedMs < 2 * INTERVAL_MS; elapsedMs += SLICE_MS) {
      vi.advanceTimersByTime(SLICE_MS);
      if (alive.pings > 0) alive.pong();
    }
    expect(hung.isTerminated).toBe(true);
    expect(hung.pings).toBe(1);
    expect(alive.isTerminated).toBe(false);
    expect(alive.pings).toBe(2);
  });

  it('forgets a closed socket and stops its timer with the last one', () => {
    const liveness = new WebSocketLiveness(INTERVAL_MS);
    const sockets = openSockets(liveness, 3);
    for (const socket of sockets) socket.emit('close');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2 * INTERVAL_MS);
    expect(totalPings(sockets)).toBe(0);
    expect(sockets.every((socket) => socket.listenerCount('pong') === 0)).toBe(true);
  });
});
