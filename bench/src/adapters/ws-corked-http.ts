import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { startPublishRoute } from './http-publish-route.js';
import { readMark } from './mark.js';
import type { Target } from './target.js';

interface Subscriber {
  ws: WebSocket;
  socket: Socket;
}

/**
 * Corked raw `ws` with a room per stream, published through the same HTTP route as Herald
 * (`POST /v1/streams/{stream}/events`, no persistence): what Herald's durable path costs, per
 * publish. A client joins a room with `/?stream=…`; each socket written to in a tick stays corked
 * until the end of that tick.
 */
export const wsCorkedHttpTarget: Target = {
  name: 'ws-corked-http',
  transport: 'websocket',
  hasHistory: false,
  async startServer() {
    const rooms = new Map<string, Set<Subscriber>>();
    const corked: Socket[] = [];
    const uncorkAll = () => {
      for (const socket of corked.splice(0)) socket.uncork();
    };
    let wss: WebSocketServer | undefined;
    const app = await startPublishRoute({
      broadcast: (stream, data) => {
        const room = rooms.get(stream);
        if (!room) return;
        // Serialised once per event, like Herald's frame encoders.
        const frame = Buffer.from(JSON.stringify(data));
        if (corked.length === 0) process.nextTick(uncorkAll);
        for (const { ws, socket } of room) {
          if (socket.writableCorked === 0) {
            socket.cork();
            corked.push(socket);
          }
          ws.send(frame, { binary: false });
        }
      },
      attach: (http) => {
        wss = new WebSocketServer({ server: http, perMessageDeflate: false });
        wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
          const stream = new URL(request.url ?? '/', 'http://localhost').searchParams.get('stream') ?? '';
          const subscriber = { ws, socket: request.socket };
          const room = rooms.get(stream) ?? new Set<Subscriber>();
          rooms.set(stream, room);
          room.add(subscriber);
          ws.on('close', () => room.delete(subscriber));
        });
      },
    });
    return {
      url: app.url,
      publish() {
        throw new Error('ws-corked-http publishes only through HTTP');
      },
      async close() {
        for (const room of rooms.values()) for (const { ws } of room) ws.terminate();
        wss?.close();
        await app.close();
      },
    };
  },
  subscribe(url, stream, _after, onMark) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/?stream=${encodeURIComponent(stream)}`, {
        perMessageDeflate: false,
      });
      ws.on('message', (data) => {
        const mark = readMark(data.toString());
        if (mark) onMark(mark);
      });
      ws.once('error', reject);
      // ws emits 'connection' in the same tick as it writes the 101, so an open client is in its room.
      ws.once('open', () => resolve());
    });
  },
};
