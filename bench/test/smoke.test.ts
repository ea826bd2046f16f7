import { describe, expect, it } from 'vitest';
import { runCatchUp } from '../src/scenarios/catch-up.js';
import { runFanout } from '../src/scenarios/fanout.js';
import { TARGET_NAMES } from '../src/targets.js';

// Tiny end-to-end runs of the harness: real server and client processes, a few subscribers and
// messages. They check the harness's bookkeeping, never speed.
const SUBSCRIBERS = 3;
const MESSAGES = 5;
const HISTORY_TARGETS = ['herald-ws', 'herald-sse', 'herald-longpoll'];
const LIVE_FANOUT_TARGETS = TARGET_NAMES.filter((name) => name !== 'herald-longpoll');

describe('bench harness', () => {
  it.each(LIVE_FANOUT_TARGETS)('delivers every message of a burst in order to every %s subscriber', async (target) => {
    const result = await runFanout({
      target,
      subscribers: SUBSCRIBERS,
      messages: MESSAGES,
      sizeBytes: 200,
      store: 'memory',
    });

    expect(result.orderErrors).toBe(0);
    expect(result.deliveries).toBe(SUBSCRIBERS * MESSAGES);
    expect(result.isComplete).toBe(true);
    expect(result.cpuUsPerDelivery).toBeGreaterThan(0);
    expect(result.deliveriesPerSec).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  it.each(HISTORY_TARGETS)('replays the history in order to a resuming %s subscriber', async (target) => {
    const result = await runCatchUp(target, 50, 1);

    expect(result.isComplete).toBe(true);
    expect(result.medianMs).toBeGreaterThan(0);
  });
});
