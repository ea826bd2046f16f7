import { startHeraldServer } from './herald-server.js';
import { readMark } from './mark.js';
import { openSse } from './sse-reader.js';
import type { Target } from './target.js';

/** Herald over Server-Sent Events, resolved at the `live` control frame. */
export const heraldSseTarget: Target = {
  name: 'herald-sse',
  transport: 'sse',
  hasHistory: true,
  startServer: startHeraldServer,
  subscribe: (url, stream, after, onMark) =>
    openSse(`${url}/v1/streams/${encodeURIComponent(stream)}/events?after=${after}`, false, (frame) => {
      if (frame.event === 'live') return true;
      if (frame.event === 'message') {
        const mark = readMark(frame.data);
        if (mark) onMark(mark);
      }
      return undefined;
    }),
};
