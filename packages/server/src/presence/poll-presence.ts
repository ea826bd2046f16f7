import type { FeedFilter } from '@herald/protocol';
import { ConnectionWatchers } from './connection-watchers.js';
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

/** A poll's client: its socket (a keep-alive connection's polls share it) and its IP. */
export interface PollClient {
  socket: object;
  ip: string;
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
  /**
   * Sockets of one client IP that may have pollers lingering (the per-IP connection limit): past
   * that, the socket answered longest ago stops being counted, so one-off polls on short
   * connections, each lingering after its socket is gone, count no more than the client may hold
   * connections open.
   */
  maxLingeringSocketsPerIp: number;
}

/** One socket's pollers: counted once per stream (ConnectionWatchers), and those lingering, by key. */
interface SocketPollers {
  readonly ip: string;
  readonly watchers: ConnectionWatchers;
  /** Answered longest ago first (a Map keeps insertion order). */
  readonly lingering: Map<string, LingeringWatcher>;
}

/**
 * Presence of pollers (long-polls and ETag polls), who come and go with every answer: a poller is
 * counted while its poll is held and for `lingerMs` after its answer (the heartbeat interval; a
 * poll answered at once is counted for that interval alone), so that its next poll, sent on the
 * same keep-alive socket, finds it still counted and takes its place instead of making the count
 * drop and rise again. A poller that stops is seen leaving `lingerMs` after its last answer.
 * Keyed by socket: a poll that comes back on another socket counts twice for `lingerMs`; one
 * socket counts once per stream whatever it polls of it (ConnectionWatchers).
 * A stream poller watches its stream; a feed poller (`GET /v1/events?wait=`) watches what a
 * FeedWatcher does, and its next poll of the same filter takes over the streams it watched.
 */
export class PollPresence {
  readonly #presence: Pick<Presence, 'join'>;
  readonly #options: PollPresenceOptions;
  readonly #sockets = new WeakMap<object, SocketPollers>();
  /** Per client IP, its sockets with pollers lingering, answered longest ago first. */
  readonly #lingeringByIp = new Map<string, Set<SocketPollers>>();

  constructor(presence: Pick<Presence, 'join'>, options: PollPresenceOptions) {
    this.#presence = presence;
    this.#options = options;
  }

  /** Counts a held poll of `stream`; returns the end of its hold (later calls do nothing). */
  hold(client: PollClient, stream: string, name: string | undefined): () => void {
    const socket = this.#socketOf(client);
    return this.#hold(socket, `stream ${stream}`, () => ({ leave: socket.watchers.join(stream, name) })).end;
  }

  /** Counts a poll of `stream` answered at once (an ETag poll, or events were waiting). */
  answered(client: PollClient, stream: string, name: string | undefined): void {
    this.hold(client, stream, name)();
  }

  /** Counts a held feed poll of `filter`: tell its `watching` what the answer delivers. */
  holdFeed(client: PollClient, filter: FeedFilter, name: string | undefined): HeldPoll<FeedWatcher> {
    const socket = this.#socketOf(client);
    // The cursor moves at every poll; the filter is what the poller follows.
    const key = `feed ${JSON.stringify([filter.stream, filter.prefix, filter.types, filter.tags])}`;
    const join = () => new FeedWatcher(socket.watchers, filter, name, this.#options.maxFeedStreams);
    return this.#hold(socket, key, join);
  }

  #socketOf(client: PollClient): SocketPollers {
    let socket = this.#sockets.get(client.socket);
    if (!socket) {
      // Names were resolved per request: the socket's watchers take them as they come.
      socket = {
        ip: client.ip,
        watchers: new ConnectionWatchers(this.#presence, (name) => name),
        lingering: new Map(),
      };
      this.#sockets.set(client.socket, socket);
    }
    return socket;
  }

  #hold<W extends Watching>(socket: SocketPollers, key: string, join: () => W): HeldPoll<W> {
    const { lingering: bySocket } = socket;
    const lingering = bySocket.get(key);
    if (lingering) {
      clearTimeout(lingering.timer);
      bySocket.delete(key);
      if (bySocket.size === 0) this.#forgetLingering(socket);
    }
    // What lingers under a key is what that key's `join` made.
    const watching = (lingering?.watching as W | undefined) ?? join();
    let isEnded = false;
    const end = () => {
      if (isEnded) return;
      isEnded = true;
      const timer = setTimeout(() => {
        if (bySocket.get(key)?.timer !== timer) return;
        bySocket.delete(key);
        watching.leave();
        if (bySocket.size === 0) this.#forgetLingering(socket);
      }, this.#options.lingerMs);
      timer.unref();
      if (bySocket.size >= this.#options.maxLingeringPerSocket) leaveOldest(bySocket);
      bySocket.set(key, { watching, timer });
      this.#touchLingering(socket);
    };
    return { watching, end };
  }

  /** The socket was just answered: it is its IP's most recent, and the IP's oldest past the bound stop. */
  #touchLingering(socket: SocketPollers): void {
    let sockets = this.#lingeringByIp.get(socket.ip);
    if (!sockets) {
      sockets = new Set();
      this.#lingeringByIp.set(socket.ip, sockets);
    }
    sockets.delete(socket);
    sockets.add(socket);
    while (sockets.size > this.#options.maxLingeringSocketsPerIp) {
      const oldest = sockets.values().next().value as SocketPollers;
      while (oldest.lingering.size > 0) leaveOldest(oldest.lingering);
      sockets.delete(oldest);
    }
  }

  #forgetLingering(socket: SocketPollers): void {
    const sockets = this.#lingeringByIp.get(socket.ip);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.#lingeringByIp.delete(socket.ip);
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
