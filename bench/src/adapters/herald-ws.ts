import WebSocket from 'ws';
import { startHeraldServer } from './herald-server.js';
import { readMark } from './mark.js';
import type { Target } from './target.js';

const EVENT_FRAME_PREFIX = '{"op":"event"';

/** Herald over its WebSocket protocol: one `sub` per connection, resolved at the `live` frame. */
export const heraldWsTarget: Target = {
  name: 'herald-ws',
  transport: 'websocket',
  hasHistory: true,
  startServer: startHeraldServer,
  subscribe(url, stream, after, onMark) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, { perMessageDeflate: false });
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith(EVENT_FRAME_PREFIX)) {
          const mark = readMark(text);
          if (mark) onMark(mark);
        } else if (text.includes('"op":"live"')) {
          resolve();
        } else if (text.includes('"op":"error"')) {
          reject(new Error(`herald-ws: ${text}`));
        }
      });
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`herald-ws closed ${code}`)));
      ws.once('open', () => ws.send(JSON.stringify({ op: 'sub', stream, after, ref: 1 })));
    });
  },
};
