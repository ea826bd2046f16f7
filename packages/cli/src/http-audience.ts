import { type StreamPresence, streamPresencePath } from '@herald/protocol';
import { requestJson, type ServerConnection } from './server-connection.js';

/**
 * A watcher's `watchAudience` from outside the server: asks `GET /v1/streams/{s}/presence` every
 * `intervalMs` (the watcher's own interval, so a new subscriber is served within about two) and
 * tells the listener when the stream gains its first watcher or loses its last. Only the Herald
 * server is asked; the watcher's source is left alone while nobody watches. A failed ask is
 * reported and keeps the last answer.
 */
export function createHttpAudience(
  connection: ServerConnection,
  intervalMs: number,
  reportError: (error: unknown) => void,
) {
  return (stream: string, listener: (isWatched: boolean) => void): (() => void) => {
    let isWatched: boolean | undefined;
    let isStopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = async () => {
      try {
        const presence = (await requestJson(
          connection,
          'GET',
          streamPresencePath(stream),
        )) as unknown as StreamPresence;
        const isWatchedNow = presence.count > 0;
        if (!isStopped && isWatchedNow !== isWatched) {
          isWatched = isWatchedNow;
          listener(isWatchedNow);
        }
      } catch (error) {
        reportError(error);
      }
      if (!isStopped) timer = setTimeout(ask, intervalMs);
    };
    void ask();
    return () => {
      isStopped = true;
      clearTimeout(timer);
    };
  };
}
