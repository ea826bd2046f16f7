import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollPresence } from '../../src/presence/poll-presence.js';

const LINGER_MS = 1000;

/** A presence that records how many watchers each stream has. */
function recordingPresence() {
  const joined = new Map<string, number>();
  return {
    watched: () => [...joined].filter(([, count]) => count > 0).map(([stream, count]) => `${stream}×${count}`),
    join(stream: string) {
      joined.set(stream, (joined.get(stream) ?? 0) + 1);
      let hasLeft = false;
      return () => {
        if (!hasLeft) joined.set(stream, joined.get(stream)! - 1);
        hasLeft = true;
      };
    },
  };
}

describe('PollPresence', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts an answered poll for the linger, once per socket and stream, and a held one until its answer', () => {
    const presence = recordingPresence();
    const polls = new PollPresence(presence, { lingerMs: LINGER_MS, maxFeedStreams: 10, maxLingeringPerSocket: 10 });
    const socket = {};
    polls.answered(socket, 'run:a', undefined);
    polls.answered(socket, 'run:a', undefined);
    polls.answered({}, 'run:a', undefined);
    expect(presence.watched()).toEqual(['run:a×2']);
    const endHold = polls.hold(socket, 'run:a', undefined);
    vi.advanceTimersByTime(5 * LINGER_MS);
    expect(presence.watched()).toEqual(['run:a×1']);
    endHold();
    vi.advanceTimersByTime(LINGER_MS);
    expect(presence.watched()).toEqual([]);
  });

  it('keeps at most maxLingeringPerSocket streams lingering per socket: the one answered longest ago leaves first', () => {
    const presence = recordingPresence();
    const polls = new PollPresence(presence, { lingerMs: LINGER_MS, maxFeedStreams: 10, maxLingeringPerSocket: 2 });
    const socket = {};
    for (const stream of ['run:1', 'run:2', 'run:1', 'run:3']) polls.answered(socket, stream, undefined);
    expect(presence.watched()).toEqual(['run:1×1', 'run:3×1']);
    for (let n = 0; n < 1000; n++) polls.answered(socket, `run:scraped-${n}`, undefined);
    expect(presence.watched()).toEqual(['run:scraped-998×1', 'run:scraped-999×1']);
  });
});
