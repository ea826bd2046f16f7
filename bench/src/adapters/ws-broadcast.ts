import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { closeServer, listenLocal } from './listen.js';
import { readMark } from './mark.js';
import type { BenchServer, MarkListener } from './target.js';

/**
 * A raw `ws` server that broadcasts each message as one pre-serialised buffer to every socket.
 * With `isCorked`, every socket is corked from the first send of a tick until the end of that
 * tick, so a burst leaves as one write per socket: the ceiling Herald's WebSocket path chases.
 */
export async function startWsBroadcastServer(isCorked: boolean): Promise<BenchServer> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const sockets = new Map<WebSocket, Socket>();
  wss.on('connection', (ws: WebSocket, request: IncomingMessage) => {
    sockets.set(ws, request.socket);
    ws.on('close', () => sockets.delete(ws));
  });
  let isTickCorked = false;
  const uncorkAll = () => {
    isTickCorked = false;
    for (const socket of sockets.values()) socket.uncork();
  };
  const url = await listenLocal(http);
  return {
    url,
    publish(_stream, dataJsons) {
      if (isCorked && !isTickCorked) {
        isTickCorked = true;
        for (const socket of sockets.values()) socket.cork();
        process.nextTick(uncorkAll);
      }
      for (const json of dataJsons) {
        const frame = Buffer.from(json);
        for (const ws of sockets.keys()) ws.send(frame, { binary: false });
      }
    },
    async close() {
      for (const ws of sockets.keys()) ws.terminate();
      wss.close();
      await closeServer(http);
    },
  };
}

/** Opens a plain `ws` client whose every text frame is one message. */
export function subscribeWsBroadcast(url: string, onMark: MarkListener): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/`, { perMessageDeflate: false });
    ws.on('message', (data) => {
      const mark = readMark(data.toString());
      if (mark) onMark(mark);
    });
    ws.once('error', reject);
    // ws emits 'connection' in the same tick as it writes the 101, so an open client is registered.
    ws.once('open', () => resolve());
  });
}
