import type { FeedFilter } from '@herald/protocol';
import { FeedWatcher } from './feed-watcher.js';
import type { Presence } from './presence.js';

/** Something counted in presence until it leaves: one stream's watcher, or a feed's. */
interface Watching {
  leave(): void;
}

interface LingeringWatcher {
  watching: Watching;
  timer: ReturnType<typeof setTimeout>;
}

/** A long-poll counted in presence: what it watches, and the end of its hold (later calls do nothing). */
export interface HeldPoll<W extends Watching> {
  watching: W;
  end(): void;
}

/** Options of PollPresence. */
export interface PollPresenceOptions {
  /** How long a poller stays counted after its answer, in ms (the heartbeat interval). */
  lingerMs: number;
  /** Streams one feed poller watches at once (FeedWatcher's bound). */
  maxFeedStreams: number;
  /**
   * Pollers one socket may leave lingering (streams and feeds): past that, the one answered
   * longest ago leaves early, so a client reading thousands of streams' events on one connection
   * joins no more than it could subscribe to.
   */
  maxLingeringPerSocket: number;
}

/**
 * Presence of pollers (long-polls and ETag polls), who come and go with every answer: a poller is
 * counted while its poll is held and for `lingerMs` after its answer (the heartbeat interval; a
 * poll answered at once is counted for that interval alone), so that its next poll, sent on the
 * same keep-alive socket, finds it still counted and takes its place instead of making the count
 * drop and rise again. A poller that stops is seen leaving `lingerMs` after its last answer.
 * Keyed by socket: a poll that comes back on another socket counts twice for `lingerMs`.
 * A stream poller watches its stream; a feed poller (`GET /v1/events?wait=`) watches what a
 * FeedWatcher does, and its next poll of the same filter takes over the streams it watched.
 */
export class PollPresence {
  readonly #presence: Pick<Presence, 'join'>;
  readonly #options: PollPresenceOptions;
  readonly #lingering = new WeakMap<object, Map<string, LingeringWatcher>>();

  constructor(presence: Pick<Presence, 'join'>, options: PollPresenceOptions) {
    this.#presence = presence;
    this.#options = options;
  }

  /** Counts a held poll of `stream` on `socket`; returns the end of its hold (later calls do nothing). */
  hold(socket: object, stream: string, name: string | undefined): () => void {
    return this.#hold(socket, `stream ${stream}`, () => ({ leave: this.#presence.join(stream, name) })).end;
  }

  /** Counts a poll of `stream` on `socket` answered at once (an ETag poll, or events were waiting). */
  answered(socket: object, stream: string, name: string | undefined): void {
    this.hold(socket, stream, name)();
  }

  /** Counts a held feed poll of `filter` on `socket`: tell its `watching` what the answer delivers. */
  holdFeed(socket: object, filter: FeedFilter, name: string | undefined): HeldPoll<FeedWatcher> {
    // The cursor moves at every poll; the filter is what the poller follows.
    const key = `feed ${JSON.stringify([filter.stream, filter.prefix, filter.types, filter.tags])}`;
    const join = () => new FeedWatcher(this.#presence, filter, name, this.#options.maxFeedStreams);
    return this.#hold(socket, key, join);
  }

  #hold<W extends Watching>(socket: object, key: string, join: () => W): HeldPoll<W> {
    let bySocket = this.#lingering.get(socket);
    if (!bySocket) {
      bySocket = new Map();
      this.#lingering.set(socket, bySocket);
    }
    const lingering = bySocket.get(key);
    if (lingering) {
      clearTimeout(lingering.timer);
      bySocket.delete(key);
    }
    // What lingers under a key is what that key's `join` made.
    const watching = (lingering?.watching as W | undefined) ?? join();
    let isEnded = false;
    const end = () => {
      if (isEnded) return;
      isEnded = true;
      const timer = setTimeout(() => {
        if (bySocket.get(key)?.timer === timer) bySocket.delete(key);
        watching.leave();
      }, this.#options.lingerMs);
      timer.unref();
      if (bySocket.size >= this.#options.maxLingeringPerSocket) leaveOldest(bySocket);
      bySocket.set(key, { watching, timer });
    };
    return { watching, end };
  }
}

/** Ends the linger of the poller answered longest ago (a Map keeps insertion order). */
function leaveOldest(bySocket: Map<string, LingeringWatcher>): void {
  const oldest = bySocket.entries().next().value;
  if (oldest === undefined) return;
  bySocket.delete(oldest[0]);
  clearTimeout(oldest[1].timer);
  oldest[1].watching.leave();
}
