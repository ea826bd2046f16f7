import type { Presence } from './presence.js';

/**
 * A watcher's `watchAudience` inside a Herald process: whether anyone, on any node, watches the
 * stream, from this node's presence (seed 003: watchers poll only while clients are connected).
 */
export function createPresenceAudience(presence: Pick<Presence, 'watch'>) {
  return (stream: string, listener: (isWatched: boolean) => void): (() => void) => {
    let isWatched: boolean | undefined;
    return presence.watch(stream, ({ count }) => {
      if (count > 0 === isWatched) return;
      isWatched = count > 0;
      listener(isWatched);
    });
  };
}
