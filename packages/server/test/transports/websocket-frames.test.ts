import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeTextFrame } from '../../src/transports/websocket-frames.js';

/** Decodes an unmasked single-frame text message (RFC 6455 §5.2). */
function decodeTextFrame(frame: Buffer): { fin: boolean; opcode: number; text: string } {
  let length = frame[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  expect(frame.length).toBe(offset + length);
  return { fin: (frame[0]! & 0x80) !== 0, opcode: frame[0]! & 0x0f, text: frame.subarray(offset).toString() };
}

describe('encodeTextFrame', () => {
  it('frames any text as one final, unmasked text frame, at every length encoding', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc
        .integer({ min: 120, max: 70_000 })
        .map((length) => 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2)),
    );
    fc.assert(
      fc.property(text, (payload) => {
        expect(decodeTextFrame(encodeTextFrame(payload))).toEqual({ fin: true, opcode: 1, text: payload });
      }),
      { numRuns: 200 },
    );
  });

  it('produces frames a ws client reads as text messages', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const payloads = ['', 'a', 'x'.repeat(125), 'x'.repeat(126), 'ü'.repeat(40_000)];
    server.once('connection', (ws) => {
      const socket = (ws as unknown as { _socket: { write(bytes: Buffer): void } })._socket;
      for (const payload of payloads) socket.write(encodeTextFrame(payload));
    });
    const { port } = server.address() as { port: number };
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const received: string[] = [];
    await new Promise<void>((resolve) => {
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        received.push(data.toString());
        if (received.length === payloads.length) resolve();
      });
    });
    expect(received).toEqual(payloads);
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
