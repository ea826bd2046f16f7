/**
 * The feed's hand-over from history to live (FeedFollower, F1–F3): whatever the interleaving of
 * commits, wake-ups and log reads, a follower opened at any cursor sends exactly the matching
 * events after it, in the log's commit order, once; and wake-ups during a read cost one more read,
 * not one per wake-up.
 */
import type { FeedEvent, FeedFilter } from '@herald/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeedFollower } from '../../src/delivery/feed-follower.js';
import type { FeedListener } from '../../src/fanout/feed-wakeups.js';
import type { HistoryQuery } from '../../src/log/event-log.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';

const FILTER: FeedFilter = { tags: { batchId: 'b1' } };

/** The wake-up registry as the server's, woken by hand after each commit. */
class ManualWakeups {
  readonly listeners = new Set<FeedListener>();

  add(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  wakeAll(): void {
    for (const listener of [...this.listeners]) listener.wake();
  }
}

const appendArbitrary = fc.record({ stream: fc.integer({ min: 0, max: 4 }), isMatch: fc.boolean() });

async function append(log: MemoryEventLog, { stream, isMatch }: { stream: number; isMatch: boolean }, n: number) {
  await log.append([{ stream: `job:${stream}`, type: 'tick', id: `e${n}`, tags: { batchId: isMatch ? 'b1' : 'b2' } }]);
}

/** Every matching id after `cursor`, in commit order: what the follower must send. */
async function expectedAfter(log: MemoryEventLog, cursor: string | undefined): Promise<string[]> {
  const page = await log.queryEvents({ ...FILTER, order: 'asc', limit: 1000, ...(cursor ? { cursor } : {}) });
  return page.events.map((event) => event.id);
}

describe('FeedFollower', () => {
  it('sends exactly the matching events after its cursor, in commit order, once, however commits and reads interleave', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(appendArbitrary, { maxLength: 12 }),
        fc.array(appendArbitrary, { maxLength: 12 }),
        fc.nat(),
        async (scheduler, before, during, cursorPick) => {
          const log = new MemoryEventLog();
          for (const [n, entry] of before.entries()) await append(log, entry, n);
          const held = (await log.queryEvents({ ...FILTER, order: 'asc', limit: 1000, withCursors: true })).events;
          const startAt = cursorPick % (held.length + 1);
          const cursor = startAt === 0 ? undefined : (held[startAt - 1] as FeedEvent).cursor;
          const wakeups = new ManualWakeups();
          const sent: FeedEvent[] = [];
          let liveCount = 0;
          const follower = FeedFollower.open({
            // Every read resolves when the scheduler says, so commits land before, during and after reads.
            log: { queryEvents: (query: HistoryQuery) => scheduler.schedule(log.queryEvents(query)) },
            wakeups,
            filter: FILTER,
            ...(cursor ? { cursor } : {}),
            sink: {
              event: (event) => sent.push(event),
              live: () => {
                liveCount += 1;
              },
              failed: (error) => {
                throw error;
              },
            },
          });
          // Each commit is followed by its wake-up, as the hub's tap follows the announcement.
          const commits = during.map((entry, i) =>
            scheduler.schedule(Promise.resolve(), `commit ${i}`).then(async () => {
              await append(log, entry, before.length + i);
              wakeups.wakeAll();
            }),
          );
          await scheduler.waitFor(Promise.all(commits));
          // The follower's own continuations after a read are no scheduled task: let them run too.
          do {
            await scheduler.waitAll();
            await new Promise((resolve) => setImmediate(resolve));
          } while (scheduler.count() > 0);
          expect(sent.map((event) => event.id)).toEqual(await expectedAfter(log, cursor));
          expect(liveCount).toBe(1);
          expect(follower.cursor).toBe(sent.at(-1)?.cursor ?? cursor);
          follower.close();
          expect(wakeups.listeners.size).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('coalesces wake-ups: any number during one read cost one more read', async () => {
    const log = new MemoryEventLog();
    let reads = 0;
    let release: () => void = () => {};
    const wakeups = new ManualWakeups();
    const follower = FeedFollower.open({
      log: {
        queryEvents: async (query: HistoryQuery) => {
          reads += 1;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          return log.queryEvents(query);
        },
      },
      wakeups,
      filter: FILTER,
      sink: { event: () => {}, live: () => {}, failed: () => {} },
    });
    for (let n = 0; n < 50; n++) {
      await append(log, { stream: n % 5, isMatch: true }, n);
      wakeups.wakeAll();
    }
    expect(reads).toBe(1);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads).toBe(2);
    follower.close();
  });

  it("reads the log only in its connection's one turn: a connection's hundred feeds have one read in flight (review finding)", async () => {
    const log = new MemoryEventLog();
    for (let n = 0; n < 30; n++) await append(log, { stream: n % 5, isMatch: true }, n);
    // One turn, handed to the waiting reads in order, as LiveConnection.takeTurn does.
    let isTaken = false;
    const waiting: (() => void)[] = [];
    const turn = {
      takeTurn: () => {
        if (!isTaken) {
          isTaken = true;
          return undefined;
        }
        return new Promise<void>((resolve) => waiting.push(resolve));
      },
      endTurn: () => {
        const next = waiting.shift();
        if (next) setImmediate(next);
        else isTaken = false;
      },
    };
    let readsInFlight = 0;
    let mostInFlight = 0;
    const reading = {
      queryEvents: async (query: HistoryQuery) => {
        mostInFlight = Math.max(mostInFlight, ++readsInFlight);
        await new Promise((resolve) => setImmediate(resolve));
        readsInFlight -= 1;
        return log.queryEvents(query);
      },
    };
    const wakeups = new ManualWakeups();
    const received = Array.from({ length: 100 }, () => [] as string[]);
    let liveCount = 0;
    const followers = received.map((events) =>
      FeedFollower.open({
        log: reading,
        wakeups,
        filter: FILTER,
        sink: { event: (event) => events.push(event.id), live: () => liveCount++, failed: () => {}, ...turn },
      }),
    );
    while (liveCount < 100) await new Promise((resolve) => setImmediate(resolve));
    await append(log, { stream: 0, isMatch: true }, 30);
    wakeups.wakeAll();
    while (received.some((events) => events.length < 31)) await new Promise((resolve) => setImmediate(resolve));
    expect(mostInFlight).toBe(1);
    const expected = await expectedAfter(log, undefined);
    for (const events of received) expect(events).toEqual(expected);
    for (const follower of followers) follower.close();
  });

  it('stops reading and leaves the wake-ups once closed, and reports a failed read once', async () => {
    const wakeups = new ManualWakeups();
    const failures: unknown[] = [];
    FeedFollower.open({
      log: { queryEvents: () => Promise.reject(new Error('store down')) },
      wakeups,
      filter: FILTER,
      sink: { event: () => {}, live: () => {}, failed: (error) => failures.push(error) },
    });
    await new Promise((resolve) => setImmediate(resolve));
    wakeups.wakeAll();
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toHaveLength(1);
    expect(wakeups.listeners.size).toBe(0);
  });
});
