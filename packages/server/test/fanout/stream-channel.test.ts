import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Announcement } from '../../src/fanout/broker.js';
import { Hub } from '../../src/fanout/hub.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';
import { HeldBroker } from '../support/held-broker.js';

const STREAM = 'run:chaos';

/** Publishes `count` single-event appends straight into the log and returns the announcements. */
async function appendEvents(log: MemoryEventLog, count: number): Promise<Announcement[]> {
  const announcements: Announcement[] = [];
  for (let i = 0; i < count; i++) {
    const outcome = await log.append([{ stream: STREAM, type: 'tick', data: { i } }]);
    const head = outcome.heads[0]!;
    announcements.push({ kind: 'events', stream: STREAM, epoch: head.epoch, records: outcome.appended });
  }
  return announcements;
}

function flushAsync(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe('StreamChannel', () => {
  it('delivers a contiguous run whatever order, duplication or loss the broker inflicts (G1, G2, G3)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.array(fc.nat(), { maxLength: 80 }), async (count, picks) => {
        const log = new MemoryEventLog();
        const broker = new HeldBroker();
        const hub = new Hub({ log, broker });
        const seen: number[] = [];
        const attachment = await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: () => {} });
        const announcements = await appendEvents(log, count);
        // Release an arbitrary multiset of announcements: reordered, repeated, some never.
        for (const pick of picks) {
          broker.release(announcements[pick % count]!);
          await flushAsync();
          expect(seen).toEqual(seen.map((_, i) => i + 1));
        }
        // The last announcement always arrives eventually (or the hub resyncs): nothing is missing.
        broker.release(announcements[count - 1]!);
        await flushAsync();
        await flushAsync();
        expect(seen).toEqual(Array.from({ length: count }, (_, i) => i + 1));
        attachment.detach();
        hub.close();
      }),
      { numRuns: 60 },
    );
  });

  it('starts at the head the log holds when the channel opens', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const early = await appendEvents(log, 3);
    const hub = new Hub({ log, broker });
    const seen: number[] = [];
    const attachment = await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: () => {} });
    expect(attachment.head).toBe(3);
    for (const announcement of early) broker.release(announcement);
    const [late] = await appendEvents(log, 1);
    broker.release(late!);
    await flushAsync();
    expect(seen).toEqual([4]);
  });

  it('reports an epoch change when the stream is deleted and recreated', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const hub = new Hub({ log, broker });
    const epochs: (string | null)[] = [];
    const seen: number[] = [];
    await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: (epoch) => epochs.push(epoch) });
    for (const announcement of await appendEvents(log, 2)) broker.release(announcement);
    await log.deleteStream(STREAM);
    broker.release({ kind: 'deleted', stream: STREAM });
    const [recreated] = await appendEvents(log, 1);
    broker.release(recreated!);
    await flushAsync();
    expect(epochs).toEqual([null]);
    expect(seen).toEqual([1, 2, 1]);
  });

  it('polls the log while the broker is degraded and catches up when it is back', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const hub = new Hub({ log, broker, degradedPollIntervalMs: 10 });
    const seen: number[] = [];
    await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: () => {} });
    broker.setStatus('degraded');
    await appendEvents(log, 3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual([1, 2, 3]);
    broker.setStatus('up');
    await appendEvents(log, 2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(seen).toEqual([1, 2, 3]);
    broker.setStatus('degraded');
    broker.setStatus('up');
    await flushAsync();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('re-reads a quiet channel while a lossy broker is up, so a lost last announcement still arrives', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const sources: string[] = [];
    const hub = new Hub({
      log,
      broker,
      quietResyncIntervalMs: 10,
      countDeliveries: (_listenerCount, source) => sources.push(source),
    });
    const seen: number[] = [];
    await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: () => {} });
    // Both announcements are lost for good (the publishing node died after its commit).
    await appendEvents(log, 2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual([1, 2]);
    expect(sources).toEqual(['log', 'log']);
    hub.close();
  });

  it('leaves alone a channel that heard an announcement since the last look', async () => {
    const log = new MemoryEventLog();
    const broker = new HeldBroker();
    const hub = new Hub({ log, broker, quietResyncIntervalMs: 40 });
    const seen: number[] = [];
    await hub.attach(STREAM, { onEvent: (e) => seen.push(e.seq), onEpochChange: () => {} });
    let reads = 0;
    const readEvents = log.readEvents.bind(log);
    log.readEvents = (...args) => {
      reads += 1;
      return readEvents(...args);
    };
    const [announcement] = await appendEvents(log, 1);
    // Heard every 10 ms, the channel is never quiet at a look: the only reads would be re-reads.
    const chatter = setInterval(() => broker.release(announcement!), 10);
    broker.release(announcement!);
    await new Promise((resolve) => setTimeout(resolve, 150));
    clearInterval(chatter);
    expect(seen).toEqual([1]);
    expect(reads).toBe(0);
    hub.close();
  });
});
