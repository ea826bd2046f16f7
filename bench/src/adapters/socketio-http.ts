import { Server } from 'socket.io';
import { startPublishRoute } from './http-publish-route.js';
import { socketIoTarget } from './socketio.js';
import type { Target } from './target.js';

/**
 * Socket.IO v4 rooms (one per stream) published through the same HTTP route as Herald
 * (`POST /v1/streams/{stream}/events`, no persistence): each POST is one room broadcast.
 * Subscribers join exactly as in `socketio`.
 */
export const socketIoHttpTarget: Target = {
  name: 'socketio-http',
  transport: 'websocket',
  hasHistory: false,
  async startServer() {
    let server: Server | undefined;
    const app = await startPublishRoute({
      broadcast: (stream, data) => server?.to(stream).emit('event', data),
      attach: (http) => {
        server = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
        server.on('connection', (socket) => {
          socket.on('join', async (stream: string, ack: () => void) => {
            await socket.join(stream);
            ack();
          });
        });
      },
    });
    return {
      url: app.url,
      publish() {
        throw new Error('socketio-http publishes only through HTTP');
      },
      async close() {
        server?.disconnectSockets(true);
        await app.close();
      },
    };
  },
  subscribe: socketIoTarget.subscribe,
};
