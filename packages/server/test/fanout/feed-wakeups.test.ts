/**
 * FeedWakeups, the "something committed" signal of live feeds: an announcement wakes only the
 * listeners one of its events matches, once per turn of the event loop however many arrive; every listener is woken when the broker comes back, and on
 * a timer while it is degraded or may lose announcements (a lost announcement costs latency only).
 */
import type { FeedFilter } from '@herald/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BrokerStatus } from '../../src/fanout/broker.js';
import { DeliveredEvent } from '../../src/fanout/delivered-event.js';
import { FeedWakeups } from '../../src/fanout/feed-wakeups.js';
import type { HubTap } from '../../src/fanout/hub.js';

/** A hub and a broker as FeedWakeups sees them, driven by hand. */
function fakeFanout(canLoseAnnouncements = false) {
  let tap: HubTap = () => {};
  let onStatus: (status: BrokerStatus) => void = () => {};
  return {
    hub: {
      watchAll: (listener: HubTap) => {
        tap = listener;
        return () => {};
      },
    },
    broker: {
      status: 'up' as BrokerStatus,
      canLoseAnnouncements,
      onStatus: (listener: (status: BrokerStatus) => void) => {
        onStatus = listener;
        return () => {};
      },
    },
    announce(stream: string, type: string, tags: Record<string, string>) {
      const json = JSON.stringify({ stream, seq: 1, id: 'e1', type, time: '2026-01-01T00:00:00.000Z', tags });
      tap(stream, [new DeliveredEvent({ stream, seq: 1, json }, 'e1')]);
    },
    setStatus: (status: BrokerStatus) => onStatus(status),
  };
}

/** Lets the wake-ups of this turn's announcements run. */
const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));

function listener(filter: FeedFilter) {
  const counter = { filter, wakes: 0, wake: () => counter.wakes++ };
  return counter;
}

describe('FeedWakeups', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes only the listeners whose filter an announced event matches', async () => {
    const fanout = fakeFanout();
    const wakeups = new FeedWakeups(fanout);
    const batch = listener({ tags: { batchId: 'b1' } });
    const jobs = listener({ prefix: 'job:' });
    const done = listener({ types: ['done'], stream: 'job:1' });
    for (const each of [batch, jobs, done]) wakeups.add(each);
    fanout.announce('job:1', 'tick', { batchId: 'b2' });
    await endOfTurn();
    expect([batch.wakes, jobs.wakes, done.wakes]).toEqual([0, 1, 0]);
    fanout.announce('run:1', 'done', { batchId: 'b1' });
    await endOfTurn();
    expect([batch.wakes, jobs.wakes, done.wakes]).toEqual([1, 1, 0]);
    fanout.announce('job:1', 'done', {});
    await endOfTurn();
    expect([batch.wakes, jobs.wakes, done.wakes]).toEqual([1, 2, 1]);
    wakeups.close();
  });

  it('wakes a listener once for all the announcements of one turn', async () => {
    const fanout = fakeFanout();
    const wakeups = new FeedWakeups(fanout);
    const jobs = listener({ prefix: 'job:' });
    wakeups.add(jobs);
    for (let n = 0; n < 10; n++) fanout.announce(`job:${n}`, 'tick', {});
    expect(jobs.wakes).toBe(0);
    await endOfTurn();
    expect(jobs.wakes).toBe(1);
    wakeups.close();
  });

  it('stops waking a listener once it is removed, even one already marked this turn', async () => {
    const fanout = fakeFanout();
    const wakeups = new FeedWakeups(fanout);
    const all = listener({});
    const remove = wakeups.add(all);
    fanout.announce('job:1', 'tick', {});
    remove();
    fanout.announce('job:2', 'tick', {});
    await endOfTurn();
    expect(all.wakes).toBe(0);
    expect(wakeups.size).toBe(0);
  });

  it('wakes every listener when the broker comes back, and on a timer while it is degraded', () => {
    vi.useFakeTimers();
    const fanout = fakeFanout();
    const wakeups = new FeedWakeups({ ...fanout, degradedPollIntervalMs: 1000 });
    const batch = listener({ tags: { batchId: 'b1' } });
    wakeups.add(batch);
    fanout.setStatus('degraded');
    vi.advanceTimersByTime(3000);
    expect(batch.wakes).toBe(3);
    fanout.setStatus('up');
    expect(batch.wakes).toBe(4);
    vi.advanceTimersByTime(10_000);
    expect(batch.wakes).toBe(4);
    wakeups.close();
  });

  it('wakes every listener on the quiet-resync timer while a broker that can lose announcements is up', () => {
    vi.useFakeTimers();
    const fanout = fakeFanout(true);
    const wakeups = new FeedWakeups({ ...fanout, quietResyncIntervalMs: 5000 });
    const batch = listener({ tags: { batchId: 'b1' } });
    wakeups.add(batch);
    vi.advanceTimersByTime(10_000);
    expect(batch.wakes).toBe(2);
    wakeups.close();
  });
});
