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
  readonly _socket = { write: vi.fn<(bytes: Buffer) => boolean>() };
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

/**
 * A reply whose response has sent its head on a socket of its own, as node's ServerResponse has
 * once flushed: `chunkedEncoding` for HTTP/1.1, `heldBytes` still in the response's own buffer.
 */
function fakeReplyOnSocket(options: { chunkedEncoding: boolean; heldBytes?: number }) {
  const { reply, raw } = fakeReply();
  const socket = {
    writableLength: 0,
    destroyed: false,
    writes: [] as Buffer[],
    write(chunk: Buffer) {
      socket.writes.push(chunk);
      return true;
    },
  };
  Object.assign(raw, {
    socket,
    headersSent: true,
    chunkedEncoding: options.chunkedEncoding,
    writableLength: options.heldBytes ?? 0,
  });
  return { reply, raw, socket };
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

  it("writes a tick's frames to the socket as one write, and what was written before the close", () => {
    const ws = new FakeWebSocket();
    const wire = wireOver(ws);
    wire.corkable.cork();
    wire.send(Buffer.from('a'));
    wire.send(Buffer.from('b'));
    expect(ws._socket.write).not.toHaveBeenCalled();
    wire.corkable.uncork();
    wire.corkable.cork();
    wire.send(Buffer.from('c'));
    wire.close('final');
    expect(ws._socket.write.mock.calls.map(([bytes]) => String(bytes))).toEqual(['ab', 'c']);
    expect(ws.closes).toEqual([[CLOSE_CODES.normal, 'done']]);
  });

  it('hands a one-frame tick over as the frame itself, shared by every socket', () => {
    const frame = Buffer.from('event');
    const sockets = [1, 2].map(() => {
      const ws = new FakeWebSocket();
      const wire = wireOver(ws);
      wire.corkable.cork();
      wire.send(frame);
      wire.corkable.uncork();
      return ws._socket;
    });
    for (const socket of sockets) expect(socket.write.mock.calls.map(([bytes]) => bytes)).toEqual([frame]);
    expect(sockets.every((socket) => socket.write.mock.calls[0]?.[0] === frame)).toBe(true);
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
  it('writes a tick of frames straight to the socket as one HTTP chunk', () => {
    const { reply, raw, socket } = fakeReplyOnSocket({ chunkedEncoding: true });
    const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
    wire.send(Buffer.from('data: 1\n\n'));
    wire.send(Buffer.from('data: 2\n\n'));
    wire.corkable.uncork();
    expect(socket.writes.map(String)).toEqual(['12\r\ndata: 1\n\ndata: 2\n\n\r\n']);
    expect(raw.written).toEqual(['retry: 1000\n\n']);
    expect(wire.buffer).toBe(socket);
  });

  it('hands every response of a fan-out the same chunk bytes for the same event', () => {
    const event = Buffer.from('id: 7\ndata: {}\n\n');
    const sockets = [1, 2, 3].map(() => {
      const { reply, socket } = fakeReplyOnSocket({ chunkedEncoding: true });
      const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
      wire.send(event);
      wire.corkable.uncork();
      return socket;
    });
    const [first] = sockets[0]?.writes ?? [];
    expect(String(first)).toBe('10\r\nid: 7\ndata: {}\n\n\r\n');
    for (const socket of sockets) expect(socket.writes).toEqual([first]);
    expect(sockets.every((socket) => socket.writes[0] === first)).toBe(true);
  });

  it('writes the frames unframed to the socket of a response that is not chunked (HTTP/1.0)', () => {
    const { reply, socket } = fakeReplyOnSocket({ chunkedEncoding: false });
    const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
    wire.send(Buffer.from('data: 1\n\n'));
    wire.corkable.uncork();
    expect(socket.writes.map(String)).toEqual(['data: 1\n\n']);
  });

  it('leaves the bytes to a response that still holds its own (queued behind a pipelined one)', () => {
    const { reply, raw, socket } = fakeReplyOnSocket({ chunkedEncoding: true, heldBytes: 120 });
    const wire = new SseWire(reply, Buffer.from('retry: 1000\n\n'), 'no-cache, no-transform');
    wire.send(Buffer.from('data: 1\n\n'));
    wire.corkable.uncork();
    expect(socket.writes).toEqual([]);
    expect(raw.written).toEqual(['retry: 1000\n\n', 'data: 1\n\n']);
  });
});
