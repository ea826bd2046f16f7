import { applyMergePatch, type JsonValue } from '@herald/protocol';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StreamOrder } from '../src/stream-order.js';
import { FakeHerald, makeEvent } from './support/fake-herald.js';
import { openSubscription } from './support/harness.js';

const STREAM = 'run:prop';

/** A delivery schedule: which seqs arrive (any order, repeated or missing), and where async work may run. */
const schedule = fc.integer({ min: 1, max: 30 }).chain((count) =>
  fc.record({
    count: fc.constant(count),
    isFinal: fc.boolean(),
    deliveries: fc.array(fc.record({ seq: fc.integer({ min: 1, max: count }), yieldAfter: fc.boolean() }), {
      maxLength: count * 3,
    }),
  }),
);

describe('ordering (G1 no gap, G2 no duplicate, G3 order)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('StreamOrder releases each seq once, in order, whatever the arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 })), (arrivals) => {
        const order = new StreamOrder(0);
        const released = arrivals.flatMap((seq) =>
          order.accept(makeEvent(STREAM, seq)).ready.map((event) => event.seq),
        );
        // Deliverable is the longest run 1..k that arrived, whatever the order.
        const arrived = new Set(arrivals);
        let k = 0;
        while (arrived.has(k + 1)) k += 1;
        expect(released).toEqual(Array.from({ length: k }, (_, i) => i + 1));
        expect(order.seq).toBe(k);
        expect(order.hasGap).toBe(arrivals.some((seq) => seq > k));
      }),
    );
  });

  it('any interleaving of duplicated, reordered and missing deliveries yields exactly the published sequence', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async ({ count, isFinal, deliveries }) => {
        const server = new FakeHerald();
        const published = Array.from({ length: count }, (_, i) =>
          server.publish(STREAM, { type: 'step', state: { [`k${i % 4}`]: i }, final: isFinal && i === count - 1 }),
        );
        const delivered: number[] = [];
        const { subscription, stats } = openSubscription(server, STREAM, { onEvent: (e) => delivered.push(e.seq) });
        for (const { seq, yieldAfter } of deliveries) {
          subscription.receive({ op: 'event', ...(published[seq - 1] as (typeof published)[number]) });
          if (yieldAfter) await vi.advanceTimersByTimeAsync(0);
        }
        // Whatever never arrived is fetched by the gap fill or, for a missing tail, the watchdog.
        await vi.advanceTimersByTimeAsync(4000);
        subscription.close();
        expect(delivered).toEqual(published.map((event) => event.seq));
        const expectedState = published.reduce<JsonValue>(
          (state, event) => applyMergePatch(state, event.state ?? {}),
          null,
        );
        expect(subscription.snapshot()).toMatchObject({ state: expectedState, final: isFinal });
        expect(stats.eventsDelivered).toBe(count);
      }),
      { numRuns: 150 },
    );
  });
});
