import type { Presence } from './presence.js';

interface LingeringWatcher {
  leave: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Presence of long-pollers, who come and go with every answer: a poller is counted while its poll
 * is held and for `lingerMs` after (the heartbeat interval), so that its next poll, sent at once
 * on the same keep-alive socket, finds it still counted and takes its place instead of making the
 * count drop and rise again. A poller that stops is seen leaving `lingerMs` after its last
 * answer. Keyed by socket: a poll that comes back on another socket counts twice for `lingerMs`.
 */
export class LongPollPresence {
  readonly #presence: Presence;
  readonly #lingerMs: number;
  readonly #lingering = new WeakMap<object, Map<string, LingeringWatcher>>();

  constructor(presence: Presence, lingerMs: number) {
    this.#presence = presence;
    this.#lingerMs = lingerMs;
  }

  /** Counts a held poll of `stream` on `socket`; returns the end of its hold (call it once). */
  hold(socket: object, stream: string, name: string | undefined): () => void {
    let bySocket = this.#lingering.get(socket);
    if (!bySocket) {
      bySocket = new Map();
      this.#lingering.set(socket, bySocket);
    }
    const lingering = bySocket.get(stream);
    if (lingering) {
      clearTimeout(lingering.timer);
      bySocket.delete(stream);
    }
    const leave = lingering?.leave ?? this.#presence.join(stream, name);
    return () => {
      const timer = setTimeout(() => {
        if (bySocket.get(stream)?.timer === timer) bySocket.delete(stream);
        leave();
      }, this.#lingerMs);
      timer.unref();
      bySocket.set(stream, { leave, timer });
    };
  }
}
