import { expect } from 'vitest';
import {
  FEED_TRANSPORTS,
  type FeedTestFilter,
  followFeed,
  historyAfter,
  type ResumingFeedFollower,
} from './resuming-feed-follower.js';

/** How the feed scenario reaches the server(s), and what it does to them mid-run. */
export interface FeedScenarioOptions {
  /** Where publishers send: each publish goes to one of these, the next one on failure. */
  publishUrls: readonly string[];
  /** Where followers connect (one node, or the load balancer in front of several). */
  followUrl: string;
  /** Where the reference history is read once everything is published. */
  historyUrl: string;
  random: () => number;
  /** Runs while the second wave of publishes is under way: restarts, `kill -9`. */
  disrupt(): Promise<void>;
}

const STREAM_COUNT = 20;
const PUBLISHERS = 4;
const EVENTS_PER_WAVE = 10;
const FOLLOWERS_PER_TRANSPORT = 2;
const FILTER: FeedTestFilter = { tags: { batchId: 'b1' } };

/**
 * Publishes one event with a fixed id, trying the URLs in turn until one acknowledges it: a
 * publish cut off by a dying node may or may not have committed, and the id makes the retry safe.
 */
async function publishUntilAcknowledged(urls: readonly string[], stream: string, id: string, batchId: string) {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; ; attempt++) {
    const url = urls[attempt % urls.length]!;
    try {
      const response = await fetch(`${url}/v1/streams/${encodeURIComponent(stream)}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'job_progress', id, tags: { batchId }, data: { id } }),
      });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // The node is gone: try the next one.
    }
    if (Date.now() > deadline) throw new Error(`publish ${id} not acknowledged in time`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One wave: PUBLISHERS concurrent publishers, each EVENTS_PER_WAVE events on random streams, half of another batch. */
function publishWave(options: FeedScenarioOptions, wave: number): Promise<unknown> {
  const { random } = options;
  return Promise.all(
    Array.from({ length: PUBLISHERS }, async (_, publisher) => {
      for (let n = 0; n < EVENTS_PER_WAVE; n++) {
        const stream = `job:${Math.floor(random() * STREAM_COUNT)}`;
        const batchId = random() < 0.5 ? 'b1' : 'b2';
        const urls = [...options.publishUrls].sort(() => random() - 0.5);
        await publishUntilAcknowledged(urls, stream, `w${wave}-p${publisher}-${n}`, batchId);
      }
    }),
  );
}

/** A random position in the feed so far: none (from the start) or the cursor after its k-th event. */
async function randomCursor(options: FeedScenarioOptions): Promise<string | undefined> {
  const k = Math.floor(options.random() * 12);
  if (k === 0) return undefined;
  const response = await fetch(`${options.historyUrl}/v1/events?tag.batchId=b1&wait=0&limit=${k}`);
  return ((await response.json()) as { nextCursor?: string }).nextCursor;
}

interface Joined {
  follower: ResumingFeedFollower;
  cursor: string | undefined;
}

async function join(options: FeedScenarioOptions, joined: Joined[]): Promise<void> {
  for (const transport of FEED_TRANSPORTS) {
    const cursor = await randomCursor(options);
    joined.push({ follower: followFeed(options.followUrl, FILTER, transport, cursor), cursor });
  }
}

/**
 * The feed's promise under load and failure: a feed filtered by `tag.batchId` across 20 streams,
 * fed by concurrent publishers (half of their events of another batch), with followers on each
 * wire joining from random cursors before, during and after a disruption. Each follower receives
 * exactly the matching events after its cursor, in the history query's (commit) order, once.
 */
export async function runFeedScenario(options: FeedScenarioOptions): Promise<void> {
  const joined: Joined[] = [];
  try {
    await join(options, joined);
    await Promise.all([publishWave(options, 1), join(options, joined)]);
    await Promise.all([publishWave(options, 2), options.disrupt()]);
    for (let i = 1; i < FOLLOWERS_PER_TRANSPORT; i++) await join(options, joined);
    await publishWave(options, 3);
    for (const { follower, cursor } of joined) {
      const expected = await historyAfter(options.historyUrl, FILTER, cursor);
      await follower.waitForCount(expected.length);
      expect({ transport: follower.transport, received: follower.received }).toEqual({
        transport: follower.transport,
        received: expected,
      });
    }
    // Nothing more arrives late (a duplicate would show here).
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const { follower, cursor } of joined) {
      expect(follower.received).toEqual(await historyAfter(options.historyUrl, FILTER, cursor));
    }
  } finally {
    for (const { follower } of joined) follower.close();
  }
}
