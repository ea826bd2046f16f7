import { createServer, type ServerResponse } from 'node:http';
import { closeServer, listenLocal } from './listen.js';
import { readMark } from './mark.js';
import { openSse } from './sse-reader.js';
import type { Target } from './target.js';

/** A plain `node:http` SSE writer: each message encoded once, `res.write` per subscriber. */
export const httpSseTarget: Target = {
  name: 'http-sse',
  transport: 'sse',
  hasHistory: false,
  async startServer() {
    const responses = new Set<ServerResponse>();
    let nextId = 1;
    const http = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('retry: 1000\n\n');
      responses.add(res);
      req.once('close', () => responses.delete(res));
    });
    const url = await listenLocal(http);
    return {
      url,
      publish(_stream, dataJsons) {
        for (const json of dataJsons) {
          const chunk = Buffer.from(`id: ${nextId++}\ndata: ${json}\n\n`);
          for (const res of responses) res.write(chunk);
        }
      },
      close: () => closeServer(http),
    };
  },
  subscribe: (url, _stream, _after, onMark) =>
    openSse(`${url}/`, true, (frame) => {
      const mark = readMark(frame.data);
      if (mark) onMark(mark);
      return undefined;
    }),
};
