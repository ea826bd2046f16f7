import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { LongPollWaits } from '../../src/delivery/long-poll.js';
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
