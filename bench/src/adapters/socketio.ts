import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { closeServer, listenLocal } from './listen.js';
import type { Target } from './target.js';

/** Socket.IO v4: subscribers join a room per stream; each message is one room broadcast (websocket only). */
export const socketIoTarget: Target = {
  name: 'socketio',
  transport: 'websocket',
  hasHistory: false,
  async startServer() {
    const http = createServer();
    const server = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
    server.on('connection', (socket) => {
      socket.on('join', async (stream: string, ack: () => void) => {
        await socket.join(stream);
        ack();
      });
    });
    const url = await listenLocal(http);
    return {
      url,
      publish(stream, dataJsons) {
        // The natural Socket.IO call: emit the object; the room broadcast encodes it once.
        for (const json of dataJsons) server.to(stream).emit('event', JSON.parse(json));
      },
      async close() {
        server.disconnectSockets(true);
        await closeServer(http);
      },
    };
  },
  subscribe(url, stream, _after, onMark) {
    return new Promise((resolve, reject) => {
      const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      socket.on('event', (data: { n: number; t: number }) => onMark({ n: data.n, sentAtMs: data.t }));
      socket.once('connect_error', reject);
      socket.once('connect', () => {
        socket.emit('join', stream, () => resolve());
      });
    });
  },
};
