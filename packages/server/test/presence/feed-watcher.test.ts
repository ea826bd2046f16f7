import { describe, expect, it } from 'vitest';
import { FeedWatcher } from '../../src/presence/feed-watcher.js';

/** A presence that records who is joined, by stream. */
function recordingPresence() {
  const joined = new Map<string, number>();
  return {
    joined,
    watched: () => [...joined.keys()].filter((stream) => joined.get(stream)! > 0).sort(),
    join(stream: string) {
      joined.set(stream, (joined.get(stream) ?? 0) + 1);
      let hasLeft = false;
      return () => {
        if (hasLeft) return;
        hasLeft = true;
        joined.set(stream, joined.get(stream)! - 1);
      };
    },
  };
}

describe('FeedWatcher', () => {
  it('watches the filter stream from the start and each delivered stream from its first event, until it leaves', () => {
    const presence = recordingPresence();
    const named = new FeedWatcher(presence, { stream: 'run:a' }, undefined, 10);
    expect(presence.watched()).toEqual(['run:a']);
    named.delivered('run:a');
    expect(presence.joined.get('run:a')).toBe(1);
    const batch = new FeedWatcher(presence, { tags: { batchId: 'b1' } }, 'dash', 10);
    batch.delivered('run:b');
    batch.delivered('run:b');
    expect(presence.joined.get('run:b')).toBe(1);
    named.leave();
    batch.leave();
    batch.leave();
    expect(presence.watched()).toEqual([]);
  });

  it('watches at most maxStreams delivered streams: the one delivered least recently leaves', () => {
    const presence = recordingPresence();
    const watcher = new FeedWatcher(presence, { prefix: 'run:' }, undefined, 2);
    watcher.delivered('run:1');
    watcher.delivered('run:2');
    watcher.delivered('run:1');
    watcher.delivered('run:3');
    expect(presence.watched()).toEqual(['run:1', 'run:3']);
    for (let n = 0; n < 1000; n++) watcher.delivered(`run:many-${n}`);
    expect(presence.watched()).toEqual(['run:many-998', 'run:many-999']);
    watcher.leave();
    expect(presence.watched()).toEqual([]);
  });
});
