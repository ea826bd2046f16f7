import { applyMergePatch, createMergePatch, type EventInput, isHeraldError, type JsonValue } from '@herald/protocol';
import type { Publisher } from '../delivery/publisher.js';
import type { EventLog } from '../log/event-log.js';

/**
 * Default time between two `fetchState` calls: seed 003's watchers check every 2 s (issue 16;
 * DESIGN "Watchers" gave no number, and Herald used 5 s before).
 */
export const DEFAULT_WATCH_INTERVAL_MS = 2000;
/** Default type of the events a watcher publishes. */
const DEFAULT_EVENT_TYPE = 'state_changed';

/** Where a watcher reads a stream's state and publishes its patches: in-process, or over HTTP (CLI). */
export interface StateWatchTarget {
  /** The stream's current state: the starting point, so a restarted watcher republishes nothing unchanged. */
  readState(stream: string): Promise<JsonValue>;
  /** Publishes one event; its `state` is the state patch. */
  publish(stream: string, event: EventInput): Promise<unknown>;
  /**
   * Tells whether anyone watches the stream (presence, on any node): `listener` is called with the
   * current answer and again on each change; returns its removal. A watcher polls its source
   * only while the answer is `true` (seed 003: "only active when clients are connected"). Without
   * it, the watcher polls all the time.
   */
  watchAudience?(stream: string, listener: (isWatched: boolean) => void): () => void;
}

/** Options of `watchState`. */
export interface WatchOptions {
  /** Time between the end of one poll and the start of the next, in ms (default 2000). */
  intervalMs?: number;
  /** Type of the published events (default `state_changed`). */
  type?: string;
  /** Called with each publish's result. */
  onPublished?: (result: unknown) => void;
  /** Called with a failed poll or publish; the watcher retries at the next interval. */
  onError?: (error: unknown) => void;
}

/** A running watcher. */
export interface StateWatcher {
  /** Stops polling; resolves once a poll in progress has finished (its publish included). */
  stop(): Promise<void>;
  /** Resolves once the watcher has stopped, by `stop()` or because the stream became final. */
  readonly stopped: Promise<void>;
}

/**
 * A bridge for systems without event hooks (DESIGN "Watchers", seed 003): polls `fetchState`
 * every `intervalMs` while the stream has an audience, and publishes a state patch only when the
 * document changed (arrays of objects with ids per element, see createMergePatch). Polls never
 * overlap: the next is scheduled once the previous one has finished. The first watcher to arrive
 * starts a poll at once; once the last one has left no poll is scheduled (one in progress ends).
 * A final stream stops it.
 */
export function watchState(
  target: StateWatchTarget,
  stream: string,
  fetchState: () => Promise<JsonValue>,
  options: WatchOptions = {},
): StateWatcher {
  const intervalMs = options.intervalMs ?? DEFAULT_WATCH_INTERVAL_MS;
  const type = options.type ?? DEFAULT_EVENT_TYPE;
  const reportError = options.onError ?? (() => {});
  let isStopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let polling: Promise<void> = Promise.resolve();
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => {
    markStopped = resolve;
  });
  // What the stream holds, as far as this watcher knows; `undefined` until read from the target.
  let known: { state: JsonValue } | undefined;
  let isWatched = target.watchAudience === undefined;

  const poll = async () => {
    const from = known ?? { state: await target.readState(stream) };
    known = from;
    const next = await fetchState();
    const patch = createMergePatch(from.state, next);
    if (patch === undefined) return;
    const result = await target.publish(stream, { type, state: patch });
    // What the stream now holds: `next` without its null members, which a merge patch cannot set
    // (unless the audience left meanwhile: the next poll then reads the stream's state again).
    if (isWatched) known = { state: applyMergePatch(from.state, patch) };
    options.onPublished?.(result);
  };
  let isPolling = false;
  const stop = () => {
    isStopped = true;
    clearTimeout(timer);
    stopWatchingAudience();
    markStopped();
  };
  const tick = () => {
    timer = undefined;
    isPolling = true;
    polling = poll().then(
      () => {},
      (error: unknown) => {
        reportError(error);
        if (isHeraldError(error) && error.code === 'stream_final') stop();
      },
    );
    void polling.then(() => {
      isPolling = false;
      if (!isStopped && isWatched) timer = setTimeout(tick, intervalMs);
    });
  };
  const stopWatchingAudience =
    target.watchAudience?.(stream, (isWatchedNow) => {
      isWatched = isWatchedNow;
      if (!isWatched) {
        clearTimeout(timer);
        timer = undefined;
        // Others may publish while nobody watches: the next poll starts from the stream's state again.
        known = undefined;
      } else if (!isStopped && !isPolling && timer === undefined) tick();
    }) ?? (() => {});
  if (isWatched && !isStopped && !isPolling && timer === undefined) tick();

  return {
    stopped,
    async stop() {
      stop();
      await polling;
    },
  };
}

/** The target of a watcher inside a Herald process: reads the log, publishes through the Publisher. */
export function createPublisherWatchTarget(modules: { log: EventLog; publisher: Publisher }): StateWatchTarget {
  return {
    readState: async (stream) => (await modules.log.getSnapshot(stream)).state,
    publish: (stream, event) => modules.publisher.publish([{ stream, ...event }]),
  };
}
