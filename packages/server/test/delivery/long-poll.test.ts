import { EventEmitter, getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { LongPollWaits, waitForEvents } from '../../src/delivery/long-poll.js';
import { Publisher } from '../../src/delivery/publisher.js';
import { Hub } from '../../src/fanout/hub.js';
import { MemoryBroker } from '../../src/fanout/memory-broker.js';
import { MemoryEventLog } from '../../src/log/memory-event-log.js';

const STREAM = 'run:wait';

function createNode() {
  const log = new MemoryEventLog();
  const broker = new MemoryBroker();
  const hub = new Hub({ log, broker });
  const publisher = new Publisher({ log, broker });
  return { log, hub, publish: (final = false) => publisher.publish([{ stream: STREAM, type: 'tick', final }]) };
}

describe('waitForEvents', () => {
  it('answers at once when events after the position exist', async () => {
    const { log, hub, publish } = createNode();
    await publish();
    const read = await waitForEvents({ hub, log, stream: STREAM, after: 0, limit: 10, waitMs: 60_000 });
    expect(read.events.map((e) => e.seq)).toEqual([1]);
  });

  it('wakes when the next event is published rather than at the end of the wait', async () => {
    const { log, hub, publish } = createNode();
    const waiting = waitForEvents({ hub, log, stream: STREAM, after: 0, limit: 10, waitMs: 60_000 });
    setTimeout(() => void publish(), 5);
    const read = await waiting;
    expect(read.events.map((e) => e.seq)).toEqual([1]);
    expect(hub.channelCount).toBe(0);
  });

  it('answers with no events when the wait runs out', async () => {
    const { log, hub } = createNode();
    const read = await waitForEvents({ hub, log, stream: STREAM, after: 0, limit: 10, waitMs: 20 });
    expect(read.events).toEqual([]);
    expect(read.snapshot.seq).toBe(0);
  });

  it('answers at once for a final stream', async () => {
    const { log, hub, publish } = createNode();
    await publish(true);
    const read = await waitForEvents({ hub, log, stream: STREAM, after: 1, limit: 10, waitMs: 60_000 });
    expect(read.snapshot.final).toBe(true);
    expect(read.events).toEqual([]);
  });

  it('answers when aborted', async () => {
    const { log, hub } = createNode();
    const controller = new AbortController();
    const waiting = waitForEvents({
      hub,
      log,
      stream: STREAM,
      after: 0,
      limit: 10,
      waitMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    expect((await waiting).events).toEqual([]);
  });

  it('removes its abort listener once the wait ends, so a long-lived signal does not collect them', async () => {
    const { log, hub, publish } = createNode();
    const controller = new AbortController();
    const waiting = waitForEvents({
      hub,
      log,
      stream: STREAM,
      after: 0,
      limit: 10,
      waitMs: 60_000,
      signal: controller.signal,
    });
    setTimeout(() => void publish(), 5);
    await waiting;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

function createGauge() {
  const gauge = { value: 0, inc: () => void gauge.value++, dec: () => void gauge.value-- };
  return gauge;
}

describe('LongPollWaits', () => {
  it('answers a held poll at the next event and releases the channel and the gauge', async () => {
    const { hub, publish } = createNode();
    const gauge = createGauge();
    const waits = new LongPollWaits(hub, gauge);
    const answered = new Promise<unknown>((resolve) => {
      waits.hold(new EventEmitter(), { stream: STREAM, after: 0, epoch: null, waitMs: 60_000 }, resolve);
    });
    expect(gauge.value).toBe(1);
    await vi.waitFor(() => expect(hub.channelCount).toBe(1));
    await publish();
    expect(await answered).toBeUndefined();
    expect(gauge.value).toBe(0);
    expect(hub.channelCount).toBe(0);
  });

  it('answers a held poll when its response closes', async () => {
    const { hub } = createNode();
    const waits = new LongPollWaits(hub, createGauge());
    const response = new EventEmitter();
    const answered = new Promise<unknown>((resolve) => {
      waits.hold(response, { stream: STREAM, after: 0, epoch: null, waitMs: 60_000 }, resolve);
    });
    response.emit('close');
    expect(await answered).toBeUndefined();
    await vi.waitFor(() => expect(hub.channelCount).toBe(0));
  });

  it('answers every held poll on stop, and polls held after it at once', async () => {
    const { hub } = createNode();
    const gauge = createGauge();
    const waits = new LongPollWaits(hub, gauge);
    const hold = () =>
      new Promise<unknown>((resolve) => {
        waits.hold(new EventEmitter(), { stream: STREAM, after: 0, epoch: null, waitMs: 60_000 }, resolve);
      });
    const held = [hold(), hold()];
    waits.stop();
    await Promise.all([...held, hold()]);
    expect(gauge.value).toBe(0);
  });

  it('answers when the channel already moved past the position read before the hold', async () => {
    const { log, hub, publish } = createNode();
    await publish();
    const { epoch } = await log.getSnapshot(STREAM);
    const waits = new LongPollWaits(hub, createGauge());
    const answered = new Promise<unknown>((resolve) => {
      waits.hold(new EventEmitter(), { stream: STREAM, after: 0, epoch, waitMs: 60_000 }, resolve);
    });
    expect(await answered).toBeUndefined();
  });
});
