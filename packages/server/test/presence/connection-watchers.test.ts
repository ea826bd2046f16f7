import { describe, expect, it } from 'vitest';
import { ConnectionWatchers } from '../../src/presence/connection-watchers.js';

/** A presence that records each stream's joins as `name×count` (anonymous: `-`). */
function recordingPresence() {
  const joined = new Map<string, number>();
  return {
    watched: () =>
      [...joined]
        .filter(([, count]) => count > 0)
        .map(([key, count]) => `${key}×${count}`)
        .sort(),
    join(stream: string, name: string | undefined) {
      const key = `${stream} ${name ?? '-'}`;
      joined.set(key, (joined.get(key) ?? 0) + 1);
      let hasLeft = false;
      return () => {
        if (!hasLeft) joined.set(key, joined.get(key)! - 1);
        hasLeft = true;
      };
    },
  };
}

describe('ConnectionWatchers', () => {
  it('counts the connection once per stream, named by the first name its watchers resolve to, until the last leaves', () => {
    const presence = recordingPresence();
    const watchers = new ConnectionWatchers(presence, (label) => label);
    const feeds = Array.from({ length: 1000 }, () => watchers.join('run:a', undefined));
    expect(presence.watched()).toEqual(['run:a -×1']);
    const leaveSub = watchers.join('run:a', 'alice');
    expect(presence.watched()).toEqual(['run:a alice×1']);
    leaveSub();
    leaveSub();
    expect(presence.watched()).toEqual(['run:a -×1']);
    for (const leave of feeds) leave();
    expect(presence.watched()).toEqual([]);
  });

  it('renames every stream it watches when the connection changes principal', () => {
    const presence = recordingPresence();
    const watchers = new ConnectionWatchers(presence, () => 'alice');
    watchers.join('run:a', 'label');
    watchers.join('run:b', undefined);
    watchers.rename(() => 'dave');
    expect(presence.watched()).toEqual(['run:a dave×1', 'run:b dave×1']);
    watchers.rename(() => undefined);
    expect(presence.watched()).toEqual(['run:a -×1', 'run:b -×1']);
  });
});
