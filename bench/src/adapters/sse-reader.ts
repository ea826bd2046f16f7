import { request } from 'node:http';

/** One parsed SSE frame: its `event:` name (`message` when absent) and its joined `data:` lines. */
export interface SseFrame {
  event: string;
  data: string;
}

/** What `openSse` calls per frame; returning true marks the subscriber ready (resolves the open). */
export type SseFrameHandler = (frame: SseFrame) => boolean | undefined;

function parseFrame(block: string): SseFrame | undefined {
  let event = 'message';
  let data: string | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith('data:')) {
      const value = line.slice(line.charAt(5) === ' ' ? 6 : 5);
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (line.startsWith('event:')) {
      event = line.slice(6).trim();
    }
  }
  return data === undefined ? undefined : { event, data };
}

/**
 * Opens an SSE response and feeds each frame to `onFrame`. Resolves once the response headers
 * arrive and, when `isReadyOnHeaders` is false, once `onFrame` first returns true.
 */
export function openSse(url: string, isReadyOnHeaders: boolean, onFrame: SseFrameHandler): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } });
    let isReady = false;
    const markReady = () => {
      if (isReady) return;
      isReady = true;
      resolve();
    };
    req.once('error', (error) => (isReady ? undefined : reject(error)));
    req.once('response', (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE ${url} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buffered = '';
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const frame = parseFrame(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (frame && onFrame(frame) === true) markReady();
          end = buffered.indexOf('\n\n');
        }
      });
      if (isReadyOnHeaders) markReady();
    });
    req.end();
  });
}
