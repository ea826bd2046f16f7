import { MAX_PRESENCE_NAMES, type StreamPresence } from '@herald/protocol';
import type { NodePresence, PresenceBoard } from './presence-board.js';

/** This node's watchers of one stream. */
class LocalWatchers {
  count = 0;
  readonly names = new Map<string, number>();

  entry(): NodePresence {
    return { count: this.count, names: [...this.names.keys()] };
  }
}

/** A presence listener and the last view it was told, so it hears only changes. */
interface PresenceWatch {
  listener: (presence: StreamPresence) => void;
  lastJson: string | undefined;
}

/** The listeners of one stream, and the reads made for them: an answer older than one told is dropped. */
class StreamWatches {
  readonly watches = new Set<PresenceWatch>();
  reads = 0;
  toldRead = 0;
  /** When the last read for them started (ms since the epoch); 0: never. */
  lastReadAtMs = 0;
  /** The read scheduled for the end of the notify interval, which will see every change till then. */
  pending: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Shortest time between two reads (so two views told) of one stream for its listeners, in ms: a
 * flood of joins and leaves (thousands of one-off polls) makes at most four views a second for
 * each listener, instead of one per change, still far within the documented bound (a join or leave
 * seen within two heartbeat intervals).
 */
export const PRESENCE_NOTIFY_INTERVAL_MS = 250;

/** Options of `Presence`. */
export interface PresenceOptions {
  board: PresenceBoard;
  /**
   * How often this node renews its entries on the board and re-reads the streams it has listeners
   * for, in ms: half the heartbeat interval, with entries living one interval, so a killed node's
   * watchers are gone from every view within 1.5 heartbeat intervals (the issue allows 2).
   */
  refreshIntervalMs: number;
  /** Called with a failed board read or write; presence then shows what this node knows. */
  reportError?: (error: unknown) => void;
}

/**
 * Who watches each stream, across nodes (docs/protocol.md "Presence"). Transports `join` a stream
 * for each watching subscription and call the returned `leave` when it ends; this node's entry on
 * the board is updated on the next turn of the event loop (so a burst of joins makes one write)
 * and renewed every `refreshIntervalMs`. Views add this node's own watchers, always exact, to the
 * other nodes' unexpired entries. Nothing here touches the event log.
 */
export class Presence {
  readonly #board: PresenceBoard;
  readonly #reportError: (error: unknown) => void;
  readonly #local = new Map<string, LocalWatchers>();
  readonly #watches = new Map<string, StreamWatches>();
  readonly #dirty = new Set<string>();
  #flushScheduled = false;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #stopListening: () => void;

  constructor(options: PresenceOptions) {
    this.#board = options.board;
    this.#reportError = options.reportError ?? (() => {});
    this.#stopListening = this.#board.onChange((stream) => this.#notify(stream));
    this.#timer = setInterval(() => this.#refresh(), options.refreshIntervalMs);
    this.#timer.unref();
  }

  /** Counts one watcher of `stream` (named, or anonymous); returns its leave, which is idempotent. */
  join(stream: string, name?: string): () => void {
    let watchers = this.#local.get(stream);
    if (!watchers) {
      watchers = new LocalWatchers();
      this.#local.set(stream, watchers);
    }
    watchers.count++;
    if (name !== undefined) watchers.names.set(name, (watchers.names.get(name) ?? 0) + 1);
    this.#changed(stream);
    let hasLeft = false;
    return () => {
      if (hasLeft) return;
      hasLeft = true;
      this.#leave(stream, name);
    };
  }

  /** The current view of `stream`: this node's watchers plus the other nodes' unexpired ones. */
  async read(stream: string): Promise<StreamPresence> {
    let others: NodePresence[] = [];
    try {
      others = await this.#board.readOthers(stream);
    } catch (error) {
      this.#reportError(error);
    }
    const own = this.#local.get(stream)?.entry();
    const entries = own ? [own, ...others] : others;
    const names = [...new Set(entries.flatMap((entry) => entry.names))].sort();
    return {
      stream,
      count: entries.reduce((sum, entry) => sum + entry.count, 0),
      names: names.slice(0, MAX_PRESENCE_NAMES),
      ...(names.length > MAX_PRESENCE_NAMES ? { namesTruncated: true } : {}),
    };
  }

  /** Calls `listener` with the current view of `stream`, then with each changed one; returns its removal. */
  watch(stream: string, listener: (presence: StreamPresence) => void): () => void {
    const watch: PresenceWatch = { listener, lastJson: undefined };
    let watches = this.#watches.get(stream);
    if (!watches) {
      watches = new StreamWatches();
      this.#watches.set(stream, watches);
    }
    watches.watches.add(watch);
    // The others were told this view already: only the newcomer hears it.
    this.#notify(stream);
    return () => {
      watches.watches.delete(watch);
      if (watches.watches.size > 0 || this.#watches.get(stream) !== watches) return;
      this.#watches.delete(stream);
      clearTimeout(watches.pending);
    };
  }

  /** Takes this node's watchers off the board (graceful shutdown) and stops the timers. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopListening();
    for (const watches of this.#watches.values()) clearTimeout(watches.pending);
    this.#watches.clear();
    const streams = [...this.#local.keys()];
    this.#local.clear();
    await Promise.all(streams.map((stream) => this.#board.put(stream, null).catch(this.#reportError)));
  }

  #leave(stream: string, name: string | undefined): void {
    const watchers = this.#local.get(stream);
    if (!watchers) return;
    watchers.count--;
    if (name !== undefined) {
      const left = (watchers.names.get(name) ?? 1) - 1;
      if (left === 0) watchers.names.delete(name);
      else watchers.names.set(name, left);
    }
    if (watchers.count === 0) this.#local.delete(stream);
    this.#changed(stream);
  }

  #changed(stream: string): void {
    this.#dirty.add(stream);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    const streams = [...this.#dirty];
    this.#dirty.clear();
    for (const stream of streams) {
      void this.#put(stream).then(() => this.#notify(stream));
    }
  }

  async #put(stream: string): Promise<void> {
    try {
      await this.#board.put(stream, this.#local.get(stream)?.entry() ?? null);
    } catch (error) {
      this.#reportError(error);
    }
  }

  #refresh(): void {
    for (const stream of this.#local.keys()) void this.#put(stream);
    // Re-read watched streams: an entry expiring (a killed node) announces nothing.
    for (const stream of this.#watches.keys()) this.#notify(stream);
  }

  /**
   * Reads the stream's view once for all its listeners and tells those whose view changed: at
   * once, or at the end of the notify interval when a read started within it (that read then
   * covers every change till it).
   */
  #notify(stream: string): void {
    const watches = this.#watches.get(stream);
    if (!watches || watches.pending !== undefined) return;
    const waitMs = watches.lastReadAtMs + PRESENCE_NOTIFY_INTERVAL_MS - Date.now();
    if (waitMs > 0) {
      watches.pending = setTimeout(() => {
        watches.pending = undefined;
        this.#readFor(stream, watches);
      }, waitMs);
      watches.pending.unref();
      return;
    }
    this.#readFor(stream, watches);
  }

  #readFor(stream: string, watches: StreamWatches): void {
    watches.lastReadAtMs = Date.now();
    const read = ++watches.reads;
    void this.read(stream).then((presence) => {
      // Answers may come back out of order: one older than an answer already told is stale.
      if (read < watches.toldRead) return;
      watches.toldRead = read;
      const json = JSON.stringify(presence);
      for (const watch of watches.watches) {
        if (json === watch.lastJson) continue;
        watch.lastJson = json;
        try {
          watch.listener(presence);
        } catch (error) {
          this.#reportError(error);
        }
      }
    });
  }
}
