import type { Target } from './target.js';
import { startWsBroadcastServer, subscribeWsBroadcast } from './ws-broadcast.js';

/** Raw `ws`: one pre-serialised buffer sent to every socket, one write per message per socket. */
export const wsRawTarget: Target = {
  name: 'ws',
  transport: 'websocket',
  hasHistory: false,
  startServer: () => startWsBroadcastServer(false),
  subscribe: (url, _stream, _after, onMark) => subscribeWsBroadcast(url, onMark),
};
