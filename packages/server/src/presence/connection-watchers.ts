import type { Presence } from './presence.js';

/** Names a watcher of the connection from the label it gave (`undefined`: a feed, or no label). */
export type WatcherNamer = (label: string | undefined) => string | undefined;

/** One stream's watchers on the connection: their labels, and the connection's one join of it. */
interface StreamHolders {
  readonly labels: Map<symbol, string | undefined>;
  name: string | undefined;
  leave: () => void;
}

/**
 * One connection's watching (docs/protocol.md "Presence": one connection's subscriptions of one
 * stream count one): its subscriptions, feeds and polls each `join` a stream, and the connection
 * counts in the stream's presence once while any of them watches it, under the first name (in
 * sort order) its watchers resolve to. Without this a connection following a thousand feeds of
 * one stream would count a thousand times.
 *
 * Names come from `nameOf`, the connection's current principal: `rename` (a WebSocket `auth`)
 * re-names every stream it watches, in the same turn, so the count does not flicker.
 */
export class ConnectionWatchers {
  readonly #presence: Pick<Presence, 'join'>;
  #nameOf: WatcherNamer;
  readonly #streams = new Map<string, StreamHolders>();

  constructor(presence: Pick<Presence, 'join'>, nameOf: WatcherNamer) {
    this.#presence = presence;
    this.#nameOf = nameOf;
  }

  /** One more watcher of `stream` on the connection; returns its leave, which is idempotent. */
  join(stream: string, label: string | undefined): () => void {
    let holders = this.#streams.get(stream);
    const key = Symbol(stream);
    if (holders) {
      holders.labels.set(key, label);
      this.#rejoinIfRenamed(stream, holders);
    } else {
      const name = this.#nameOf(label);
      holders = { labels: new Map([[key, label]]), name, leave: this.#presence.join(stream, name) };
      this.#streams.set(stream, holders);
    }
    const joined = holders;
    return () => {
      if (!joined.labels.delete(key)) return;
      if (joined.labels.size > 0) {
        this.#rejoinIfRenamed(stream, joined);
        return;
      }
      joined.leave();
      if (this.#streams.get(stream) === joined) this.#streams.delete(stream);
    };
  }

  /** The connection's principal changed: each stream it watches is named as the new one says. */
  rename(nameOf: WatcherNamer): void {
    this.#nameOf = nameOf;
    for (const [stream, holders] of this.#streams) this.#rejoinIfRenamed(stream, holders);
  }

  #rejoinIfRenamed(stream: string, holders: StreamHolders): void {
    const name = this.#nameFor(holders);
    if (name === holders.name) return;
    // Joined before the leave, in one turn: the stream's count never drops in between.
    const leave = this.#presence.join(stream, name);
    holders.leave();
    holders.name = name;
    holders.leave = leave;
  }

  #nameFor(holders: StreamHolders): string | undefined {
    let first: string | undefined;
    for (const label of holders.labels.values()) {
      const name = this.#nameOf(label);
      if (name !== undefined && (first === undefined || name < first)) first = name;
    }
    return first;
  }
}
