import { ERROR_TABLE, errorCodeOfClose } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  errorFromCloseCode,
  resolveWebSocketUrl,
  WEBSOCKET_DEAD_AFTER_MS,
  WebSocketTransport,
} from '../../src/transports/websocket-transport.js';
import { FakeHerald, makeEvent } from '../support/fake-herald.js';
import { FakeWebSocket } from '../support/fake-websocket.js';
import { transportHarness } from '../support/transport-harness.js';

async function openTransport(streams: string[], positions = {}) {
  const harness = transportHarness(new FakeHerald(), streams, positions);
  const transport = new WebSocketTransport(harness.context, harness.listener);
  transport.open();
  await vi.advanceTimersByTimeAsync(0);
  return { ...harness, transport, socket: FakeWebSocket.last };
}

describe('WebSocketTransport', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('derives the ws URL from the base URL and passes the token as a query parameter', () => {
    expect(resolveWebSocketUrl('https://h.example/', 'a b')).toBe('wss://h.example/v1/ws?token=a+b');
    expect(resolveWebSocketUrl('http://127.0.0.1:8700', undefined)).toBe('ws://127.0.0.1:8700/v1/ws');
  });

  it('subscribes every stream from its position on one connection once open', async () => {
    const { socket, reports, transport } = await openTransport(['run:1', 'run:2'], {
      'run:2': { after: 7, epoch: 'e2' },
    });
    expect(socket.sent).toEqual([]);
    socket.accept();
    transport.add('run:3');
    expect(reports.opens).toBe(1);
    expect(socket.subs().map(({ ref: _ref, ...frame }) => frame)).toEqual([
      { op: 'sub', stream: 'run:1', after: 0 },
      { op: 'sub', stream: 'run:2', after: 7, epoch: 'e2' },
      { op: 'sub', stream: 'run:3', after: 0 },
    ]);
    expect(FakeWebSocket.sockets).toHaveLength(1);
  });

  it('hands stream frames and heartbeats to the listener, and stream errors as HeraldErrors', async () => {
    const { socket, reports } = await openTransport(['run:1']);
    socket.accept();
    socket.push({ op: 'event', ...makeEvent('run:1', 1) });
    socket.push({ op: 'hb' });
    socket.push({ op: 'pong', ref: 1 });
    socket.push({ op: 'error', stream: 'run:1', code: 'forbidden', message: 'no' });
    expect(reports.frames.map((frame) => frame.op)).toEqual(['event', 'hb', 'error']);
    expect(reports.frames[2]).toMatchObject({ error: { code: 'forbidden', retryable: false } });
  });

  it('reports a close with the error its code stands for, once', async () => {
    const { socket, reports } = await openTransport(['run:1']);
    socket.accept();
    socket.drop(4001, 'token expired');
    socket.drop(1006);
    expect(reports.errors.map((error) => error.code)).toEqual(['token_expired']);
  });

  it('maps close codes to error codes', () => {
    expect(errorFromCloseCode(1012, '').code).toBe('shutting_down');
    expect(errorFromCloseCode(4008, '').code).toBe('slow_consumer');
    expect(errorFromCloseCode(4003, '').retryable).toBe(false);
    expect(errorFromCloseCode(1006, '').code).toBe('unavailable');
  });

  it('reads every close code of the error table as the protocol does', () => {
    for (const { closeCode } of Object.values(ERROR_TABLE)) {
      const error = errorFromCloseCode(closeCode, '');
      expect(error.code, String(closeCode)).toBe(errorCodeOfClose(closeCode));
      expect(error.retryable, String(closeCode)).toBe(ERROR_TABLE[error.code].retryable);
    }
  });

  it('gives up a connection that stays silent for two heartbeat intervals', async () => {
    const { socket, reports } = await openTransport(['run:1']);
    socket.accept();
    await vi.advanceTimersByTimeAsync(WEBSOCKET_DEAD_AFTER_MS - 1000);
    socket.push({ op: 'hb' });
    await vi.advanceTimersByTimeAsync(WEBSOCKET_DEAD_AFTER_MS - 1000);
    expect(reports.errors).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports.errors.map((error) => error.code)).toEqual(['unavailable']);
  });

  it('reports nothing after close', async () => {
    const { socket, reports, transport } = await openTransport(['run:1']);
    socket.accept();
    transport.close();
    socket.push({ op: 'hb' });
    socket.drop(1006);
    expect(reports).toMatchObject({ frames: [], errors: [] });
  });

  it('sends a refreshed token on the open connection', async () => {
    const { socket, transport } = await openTransport([]);
    socket.accept();
    transport.authenticate('fresh');
    expect(socket.sent).toEqual([{ op: 'auth', token: 'fresh', ref: 1 }]);
  });
});
