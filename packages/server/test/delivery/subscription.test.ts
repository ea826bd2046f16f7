import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { Publisher } from '../../src/delivery/publisher.js';
import { Subscription, type SubscriptionOptions } from '../../src/delivery/subscription.js';
import { Hub } from '../../src/fanout/hub.js';
import { MemoryBroker } from '../../src/fanout/memory-broker.js';
import type { EventsRead } from '../../src/log/event-log.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { HeldBroker } from '../support/held-broker.js';
import { RecordingSink } from '../support/recording-sink.js';

/** Opens a subscription as the transports do, resolving once it is live (or failed), as a caller waiting for catch-up would. */
async function openLive(options: SubscriptionOptions & { sink: RecordingSink }): Promise<Subscription> {
  const subscription = Subscription.open(options);
  await options.sink.waitUntilLive();
  return subscription;
}

const STREAM = 'run:handover';

function createNode() {
  const log = new MemoryEventLog();
  const broker = new MemoryBroker();
  const hub = new Hub({ log, broker });
  const publisher = new Publisher({ log, broker });
  const publish = (n = 1) =>
    publisher.publish(Array.from({ length: n }, (_, i) => ({ stream: STREAM, type: 'tick', data: { i } })));
  return { log, hub, publisher, publish };
}

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('Subscription', () => {
  it('hands over from history to live with no loss and no duplicate under concurrent publishing (G1, G2, G3)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 6 }),
        async (history, positions) => {
          const { log, hub, publish } = createNode();
          if (history > 0) await publish(history);
          const total = history + 60;
          // A publisher runs at full speed while subscribers join at arbitrary positions.
          const publishing = (async () => {
            for (let i = 0; i < 60; i++) await publish();
          })();
          const sinks = positions.map((p) => ({ after: Math.min(p, history), sink: new RecordingSink() }));
          const subscriptions = await Promise.all(
            sinks.map(({ after, sink }) => openLive({ hub, log, stream: STREAM, after, sink })),
          );
          await publishing;
          for (const { after, sink } of sinks) {
            await sink.waitForSeq(total);
            expect(sink.seqs).toEqual(range(after + 1, total));
            expect(sink.calls[0]?.kind).toBe('opened');
            expect(sink.calls.filter((c) => c.kind === 'live')).toHaveLength(1);
          }
          for (const subscription of subscriptions) subscription.close();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sends the live marker after the catch-up and before live events', async () => {
    const { log, hub, publish } = createNode();
    await publish(3);
    const sink = new RecordingSink();
    const subscription = await openLive({ hub, log, stream: STREAM, after: 1, sink });
    await publish();
    await sink.waitForSeq(4);
    expect(sink.calls.map((c) => (c.kind === 'event' ? c.seq : c.kind))).toEqual(['opened', 2, 3, 'live', 4]);
    subscription.close();
  });

  it('goes live as final on a final stream, whether its final event is sent now, went by before or was deleted', async () => {
    const { log, hub, publisher } = createNode();
    await publisher.publish([
      { stream: STREAM, type: 'tick' },
      { stream: STREAM, type: 'done', final: true },
    ]);
    const liveCall = async (after: number) => {
      const sink = new RecordingSink();
      const subscription = await openLive({ hub, log, stream: STREAM, after, sink });
      subscription.close();
      return { seqs: sink.seqs, live: sink.calls.find((c) => c.kind === 'live') };
    };
    expect(await liveCall(0)).toEqual({ seqs: [1, 2], live: { kind: 'live', seq: 2, isFinal: true } });
    expect(await liveCall(2)).toEqual({ seqs: [], live: { kind: 'live', seq: 2, isFinal: true } });
    await log.deleteEventsOlderThan(new Date(Date.now() + 60_000).toISOString());
    expect(await liveCall(0)).toEqual({ seqs: [], live: { kind: 'live', seq: 2, isFinal: true } });
  });

  it('goes live as not final on an open stream', async () => {
    const { log, hub, publish } = createNode();
    await publish(2);
    const sink = new RecordingSink();
    const subscription = await openLive({ hub, log, stream: STREAM, after: 2, sink });
    expect(sink.calls.find((c) => c.kind === 'live')).toEqual({ kind: 'live', seq: 2, isFinal: false });
    subscription.close();
  });

  it('resets with reason truncated when the position is older than the retained history', async () => {
    const { log, hub, publish } = createNode();
    await publish(10);
    await log.sweepRetention({ maxEventsPerStream: 4 });
    const sink = new RecordingSink();
    await openLive({ hub, log, stream: STREAM, after: 2, sink });
    const reset = sink.calls.find((c) => c.kind === 'reset');
    expect(reset?.kind === 'reset' && reset.notice).toMatchObject({ reason: 'truncated', seq: 10 });
    expect(sink.seqs).toEqual([7, 8, 9, 10]);
  });

  it('resets with reason epoch_changed when the subscriber holds another epoch', async () => {
    const { log, hub, publish } = createNode();
    await publish(2);
    const sink = new RecordingSink();
    await openLive({ hub, log, stream: STREAM, after: 2, epoch: 'stale-epoch', sink });
    const reset = sink.calls.find((c) => c.kind === 'reset');
    expect(reset?.kind === 'reset' && reset.notice.reason).toBe('epoch_changed');
    expect(sink.seqs).toEqual([1, 2]);
  });

  it('resets live subscribers when the stream is deleted, then delivers the new epoch from seq 1', async () => {
    const { log, hub, publisher, publish } = createNode();
    await publish(3);
    const sink = new RecordingSink();
    const subscription = await openLive({ hub, log, stream: STREAM, after: 0, sink });
    await publisher.deleteStream(STREAM);
    await publish(2);
    await sink.waitForSeq(2);
    expect(sink.calls.map((c) => (c.kind === 'event' ? c.seq : c.kind))).toEqual([
      'opened',
      1,
      2,
      3,
      'live',
      'reset',
      'live',
      1,
      2,
    ]);
    subscription.close();
  });

  it('resets when the stream is recreated while its catch-up read is in flight (G1)', async () => {
    const { log, hub, publisher, publish } = createNode();
    await publish(3);
    // The first catch-up read returns the old epoch only after the stream has been recreated.
    let releaseRead!: () => void;
    const isReleased = new Promise<void>((resolve) => {
      releaseRead = resolve;
    });
    const readEvents = log.readEvents.bind(log);
    let isFirstRead = true;
    log.readEvents = async (...args): Promise<EventsRead> => {
      const read = await readEvents(...args);
      if (isFirstRead) {
        isFirstRead = false;
        await isReleased;
      }
      return read;
    };
    const sink = new RecordingSink();
    const starting = openLive({ hub, log, stream: STREAM, after: 0, sink });
    await vi.waitFor(() => expect(isFirstRead).toBe(false));
    await publisher.deleteStream(STREAM);
    await publish(2);
    releaseRead();
    const subscription = await starting;
    await sink.waitForSeq(2);
    expect(sink.calls.map((c) => (c.kind === 'event' ? c.seq : c.kind))).toEqual([
      'opened',
      1,
      2,
      3,
      'reset',
      1,
      2,
      'live',
    ]);
    subscription.close();
  });

  it('stops delivering once closed', async () => {
    const { log, hub, publish } = createNode();
    const sink = new RecordingSink();
    const subscription = await openLive({ hub, log, stream: STREAM, after: 0, sink });
    await publish();
    subscription.close();
    await publish();
    expect(sink.seqs).toEqual([1]);
    expect(hub.channelCount).toBe(0);
  });

  it('goes live when the channel has not yet heard that the stream was recreated', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const hub = new Hub({ log, broker });
    const publisher = new Publisher({ log, broker });
    await publisher.publish(range(1, 5).map(() => ({ stream: STREAM, type: 'tick' })));
    const watcher = await hub.attach(STREAM, { onEvent: () => {}, onEpochChange: () => {} });
    expect(watcher.head).toBe(5);
    // The deletion and the new epoch's events are never announced: the channel still says head 5.
    await log.deleteStream(STREAM);
    await log.append([
      { stream: STREAM, type: 'tick' },
      { stream: STREAM, type: 'tick' },
    ]);
    const sink = new RecordingSink();
    const subscription = await openLive({ hub, log, stream: STREAM, after: 0, sink });
    expect(sink.seqs).toEqual([1, 2]);
    expect(subscription.isLive).toBe(true);
    subscription.close();
    watcher.detach();
  });
});
