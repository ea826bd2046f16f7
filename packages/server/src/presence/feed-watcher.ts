import type { FeedFilter } from '@herald/protocol';
import type { Presence } from './presence.js';

/**
 * A live feed as a watcher (docs/protocol.md "Presence"): a dashboard following one feed (say
 * `tag.batchId=b1`) must wake the watchers of the streams it shows, as subscribing to each would.
 * It watches the stream its filter names from the start, and each stream it delivers from that
 * stream's first delivered event, until it leaves.
 *
 * At most `maxStreams` delivered streams are watched at once: past that, the one delivered least
 * recently leaves, so a feed across a million streams joins no more than one connection may
 * subscribe to, and the streams still producing events are the ones kept.
 */
export class FeedWatcher {
  readonly #presence: Pick<Presence, 'join'>;
  readonly #name: string | undefined;
  readonly #maxStreams: number;
  /** The filter's own stream: every event of the feed is of it, and it never leaves before the feed. */
  readonly #filterStream: string | undefined;
  readonly #leaveFilterStream: (() => void) | undefined;
  /** Each delivered stream's leave, least recently delivered first (a Map keeps insertion order). */
  readonly #streams = new Map<string, () => void>();
  #hasLeft = false;

  constructor(presence: Pick<Presence, 'join'>, filter: FeedFilter, name: string | undefined, maxStreams: number) {
    this.#presence = presence;
    this.#name = name;
    this.#maxStreams = maxStreams;
    this.#filterStream = filter.stream;
    this.#leaveFilterStream = filter.stream === undefined ? undefined : presence.join(filter.stream, name);
  }

  /** The feed delivered an event of `stream`: it watches the stream (again the most recent one). */
  delivered(stream: string): void {
    if (this.#hasLeft || stream === this.#filterStream) return;
    const streams = this.#streams;
    let leave = streams.get(stream);
    if (leave) {
      streams.delete(stream);
    } else {
      if (streams.size >= this.#maxStreams) this.#evictOldest();
      leave = this.#presence.join(stream, this.#name);
    }
    streams.set(stream, leave);
  }

  /** The feed ended: it watches nothing any more (idempotent). */
  leave(): void {
    if (this.#hasLeft) return;
    this.#hasLeft = true;
    this.#leaveFilterStream?.();
    for (const leave of this.#streams.values()) leave();
    this.#streams.clear();
  }

  #evictOldest(): void {
    const oldest = this.#streams.entries().next().value;
    if (oldest === undefined) return;
    this.#streams.delete(oldest[0]);
    oldest[1]();
  }
}
