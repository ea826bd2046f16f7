import { EventEmitter } from 'node:events';
import { CLOSE_CODES } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type WebSocket from 'ws';
import type { LiveEndReason } from '../../src/transports/live-connection.js';
import { SseWire } from '../../src/transports/sse-wire.js';
import { WebSocketWire } from '../../src/transports/websocket-wire.js';

const OPEN = 1;
const CLOSED = 3;
const SLOW_CONSUMER_CLOSE_TIMEOUT_MS = 5000;

/** A ws WebSocket with the parts WebSocketWire uses, recording its closes. */
class FakeWebSocket extends EventEmitter {
  readyState = OPEN;
  readonly _socket = { write: vi.fn() };
  readonly closes: [number, string][] = [];
  terminated = false;

  close(code: number, text: string): void {
    this.closes.push([code, text]);
  }

  terminate(): void {
    this.terminated = true;
    this.readyState = CLOSED;
    this.emit('close');
  }
}

/** A hijackable reply over a raw response with the parts SseWire uses. */
function fakeReply() {
  const raw = Object.assign(new EventEmitter(), {
    destroyed: false,
    written: [] as string[],
    ended: false,
    cork: vi.fn(),
    uncork: vi.fn(),
    writeHead: vi.fn(),
    flushHeaders: vi.fn(),
    write(chunk: Buffer) {
      raw.written.push(chunk.toString());
      return true;
    },
    end() {
      raw.ended = true;
    },
    destroy() {
      raw.destroyed = true;
    },
  });
  const reply = { raw, hijack: vi.fn(), getHeaders: () => ({ 'access-control-allow-origin': '*' }) };
  return { reply: reply as unknown as FastifyReply, raw };
}

// Heartbeats, expiry and close timeouts run on fake time.
beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('WebSocketWire', () => {
  const wireOver = (ws: FakeWebSocket) => new WebSocketWire(ws as unknown as WebSocket, SLOW_CONSUMER_CLOSE_TIMEOUT_MS);

  it.each([
    ['expired', CLOSE_CODES.tokenExpired],
    ['slow_consumer', CLOSE_CODES.slowConsumer],
    ['bad_frame', CLOSE_CODES.unsupportedData],
  ] as [LiveEndReason, number][])('says %s with close code %i', (reason, code) => {
    const ws = new FakeWebSocket();
    wireOver(ws).close(reason);
    expect(ws.closes.map(([closeCode]) => closeCode)).toEqual([code]);
  });

  it('cuts a slow consumer that does not answer its close after slowConsumerCloseTimeoutMs', () => {
    const ws = new FakeWebSocket();
    wireOver(ws).close('slow_consumer');
    vi.advanceTimersByTime(SLOW_CONSUMER_CLOSE_TIMEOUT_MS - 1);
    expect(ws.terminated).toBe(false);
    vi.advanceTimersByTime(1);
    expect(ws.terminated).toBe(true);
  });

  it('closes with 1012 on shutdown and resolves once the socket has closed, cutting it after 1 s', async () => {
    const ws = new FakeWebSocket();
    const closed = wireOver(ws).close('shutdown');
    expect(ws.closes).toEqual([[CLOSE_CODES.serviceRestart, 'server restart']]);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(closed).resolves.toBeUndefined();
    expect(ws.terminated).toBe(true);
  });
});

describe('SseWire', () => {
  it('sends the head with the hooks headers and the retry line first', () => {
    const { reply, raw } = fakeReply();
    new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
    expect(reply.hijack).toHaveBeenCalledOnce();
    expect(raw.writeHead).toHaveBeenCalledWith(
      200,
      expect.objectContaining({
        'access-control-allow-origin': '*',
        'content-type': 'text/event-stream; charset=utf-8',
      }),
    );
    expect(raw.written).toEqual(['retry: 1000\n\n']);
  });

  it.each(['final', 'failed', 'expired', 'shutdown'] as LiveEndReason[])(
    'ends the response after what was written on %s',
    (reason) => {
      const { reply, raw } = fakeReply();
      const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
      wire.send(Buffer.from('data: 1\n\n'));
      wire.close(reason);
      expect(raw.written).toEqual(['retry: 1000\n\n', 'data: 1\n\n']);
      expect(raw.ended).toBe(true);
      expect(raw.destroyed).toBe(false);
    },
  );

  it('destroys a slow consumer response instead of queueing more for it', () => {
    const { reply, raw } = fakeReply();
    const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
    wire.send(Buffer.from('data: 1\n\n'));
    wire.close('slow_consumer');
    expect(raw.destroyed).toBe(true);
    expect(raw.ended).toBe(false);
    expect(wire.isOpen).toBe(false);
  });
});
