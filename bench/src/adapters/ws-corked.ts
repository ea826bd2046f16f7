import type { Target } from './target.js';
import { startWsBroadcastServer, subscribeWsBroadcast } from './ws-broadcast.js';

/** Corked raw `ws`: a burst leaves as one write per socket (the ceiling for WebSocket fan-out). */
export const wsCorkedTarget: Target = {
  name: 'ws-corked',
  transport: 'websocket',
  hasHistory: false,
  startServer: () => startWsBroadcastServer(true),
  subscribe: (url, _stream, _after, onMark) => subscribeWsBroadcast(url, onMark),
};
