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

/** PollPresence over a recording presence: limits of 10 but for the ones a test is about. */
function startPollPresence(limits: { maxLingeringPerSocket?: number; maxLingeringSocketsPerIp?: number } = {}) {
  const presence = recordingPresence();
  const polls = new PollPresence(presence, {
    lingerMs: LINGER_MS,
    maxFeedStreams: 10,
    maxLingeringPerSocket: 10,
    maxLingeringSocketsPerIp: 10,
    ...limits,
  });
  return { presence, polls };
}

/** A poller's socket, from one client IP. */
function client(socket: object, ip = '203.0.113.7') {
  return { socket, ip };
}

describe('PollPresence', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts an answered poll for the linger, once per socket and stream, and a held one until its answer', () => {
    const { presence, polls } = startPollPresence();
    const socket = {};
    polls.answered(client(socket), 'run:a', undefined);
    polls.answered(client(socket), 'run:a', undefined);
    polls.answered(client({}), 'run:a', undefined);
    expect(presence.watched()).toEqual(['run:a×2']);
    const endHold = polls.hold(client(socket), 'run:a', undefined);
    vi.advanceTimersByTime(5 * LINGER_MS);
    expect(presence.watched()).toEqual(['run:a×1']);
    endHold();
    vi.advanceTimersByTime(LINGER_MS);
    expect(presence.watched()).toEqual([]);
  });

  it('keeps at most maxLingeringPerSocket streams lingering per socket: the one answered longest ago leaves first', () => {
    const { presence, polls } = startPollPresence({ maxLingeringPerSocket: 2 });
    const socket = {};
    for (const stream of ['run:1', 'run:2', 'run:1', 'run:3']) polls.answered(client(socket), stream, undefined);
    expect(presence.watched()).toEqual(['run:1×1', 'run:3×1']);
    for (let n = 0; n < 1000; n++) polls.answered(client(socket), `run:scraped-${n}`, undefined);
    expect(presence.watched()).toEqual(['run:scraped-998×1', 'run:scraped-999×1']);
  });

  it('keeps at most maxLingeringSocketsPerIp sockets of one client IP lingering: the one answered longest ago leaves', () => {
    const { presence, polls } = startPollPresence({ maxLingeringSocketsPerIp: 3 });
    // 3000 one-off polls, each on its own short connection, from one IP.
    for (let n = 0; n < 3000; n++) polls.answered(client({}), 'run:a', `bot${n}`);
    expect(presence.watched()).toEqual(['run:a×3']);
    // Another client's pollers are not its to push out; a held poll is a connection, not a lingerer.
    polls.answered(client({}, '198.51.100.1'), 'run:a', undefined);
    const endHold = polls.hold(client({}), 'run:b', undefined);
    for (let n = 0; n < 10; n++) polls.answered(client({}), 'run:a', undefined);
    expect(presence.watched()).toEqual(['run:a×4', 'run:b×1']);
    endHold();
    expect(presence.watched()).toEqual(['run:a×3', 'run:b×1']);
    vi.advanceTimersByTime(LINGER_MS);
    expect(presence.watched()).toEqual([]);
  });

  it("counts a socket's polls of one stream once: its events, its snapshot and a feed of it", () => {
    const { presence, polls } = startPollPresence();
    const socket = client({});
    polls.answered(socket, 'run:a', undefined);
    polls.holdFeed(socket, { stream: 'run:a' }, undefined).end();
    const feed = polls.holdFeed(socket, { prefix: 'run:' }, undefined);
    feed.watching.delivered('run:a');
    feed.end();
    expect(presence.watched()).toEqual(['run:a×1']);
    vi.advanceTimersByTime(LINGER_MS);
    expect(presence.watched()).toEqual([]);
  });
});
