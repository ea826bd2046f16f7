import { afterEach, describe, it } from 'vitest';
import { expectDelivered, expectedTicks } from '../src/delivery-check.js';
import { deleteStream, publish, targetFromEnvironment, ticks, uniqueStream } from '../src/target.js';
import { WIRES, type WireSubscriber } from '../src/wires/index.js';

// The delivery guarantees of docs/protocol.md (G1 no gap, G2 no duplicate, G3 order), checked
// the same way over the four wires against the server at HERALD_URL, through its public API only.

const target = targetFromEnvironment();
const open: WireSubscriber[] = [];

afterEach(() => {
  for (const subscriber of open.splice(0)) subscriber.close();
});

describe.each(WIRES)('$name', (wire) => {
  const subscribe = async (stream: string, after: number, epoch?: string | null) => {
    const subscriber = await wire.subscribe(target, stream, { after, ...(epoch === undefined ? {} : { epoch }) });
    open.push(subscriber);
    return subscriber;
  };
  const caughtUpTo = (subscriber: WireSubscriber, seq: number) =>
    subscriber.waitUntil(() => subscriber.isLive && subscriber.position >= seq, `seq ${seq} and live`);

  it('delivers the events after any position, in order and once, then says it is live (G1–G3)', async () => {
    const stream = uniqueStream('history');
    await publish(target, stream, ticks(1, 12));
    for (const after of [0, 5, 12]) {
      const subscriber = await subscribe(stream, after);
      await caughtUpTo(subscriber, 12);
      expectDelivered(subscriber, expectedTicks(after + 1, 12));
      subscriber.close();
    }
  });

  it('delivers events published while it is live', async () => {
    const stream = uniqueStream('live');
    const subscriber = await subscribe(stream, 0);
    await subscriber.waitUntil(() => subscriber.isLive, 'live');
    for (let n = 1; n <= 5; n++) await publish(target, stream, ticks(n, n));
    await caughtUpTo(subscriber, 5);
    expectDelivered(subscriber, expectedTicks(1, 5));
  });

  it('hands over from history to live under a concurrent publisher with no loss or duplicate', async () => {
    const stream = uniqueStream('handover');
    await publish(target, stream, ticks(1, 40));
    const publishing = (async () => {
      for (let n = 41; n <= 80; n++) await publish(target, stream, ticks(n, n));
    })();
    const subscriber = await subscribe(stream, 0);
    await publishing;
    await caughtUpTo(subscriber, 80);
    expectDelivered(subscriber, expectedTicks(1, 80));
  });

  it('resumes after a dropped connection from its position, with no gap or duplicate', async () => {
    const stream = uniqueStream('resume');
    await publish(target, stream, ticks(1, 10));
    const subscriber = await subscribe(stream, 0);
    await caughtUpTo(subscriber, 10);
    await subscriber.reconnect();
    await publish(target, stream, ticks(11, 15));
    await subscriber.reconnect();
    await publish(target, stream, ticks(16, 20));
    await caughtUpTo(subscriber, 20);
    expectDelivered(subscriber, expectedTicks(1, 20));
  });

  it('tells the subscriber that the stream is final after its final event', async () => {
    const stream = uniqueStream('final');
    await publish(target, stream, [...ticks(1, 2), { type: 'done', final: true }]);
    const subscriber = await subscribe(stream, 1);
    await subscriber.waitUntil(() => subscriber.isFinal, 'the final notice');
    expectDelivered(subscriber, [...expectedTicks(2, 2), { seq: 3, type: 'done' }]);
  });

  it('resets a subscriber whose stream was deleted and recreated since its position, then delivers the new events', async () => {
    const stream = uniqueStream('recreated');
    const { epoch: oldEpoch } = await publish(target, stream, ticks(1, 3));
    await deleteStream(target, stream);
    const { epoch: newEpoch } = await publish(target, stream, ticks(1, 2));
    const subscriber = await subscribe(stream, 3, oldEpoch);
    await caughtUpTo(subscriber, 2);
    await subscriber.waitUntil(() => subscriber.resets.length > 0, 'a reset');
    const [reset] = subscriber.resets;
    if (subscriber.resets.length !== 1 || reset?.epoch !== newEpoch || reset.seq !== 2) {
      throw new Error(
        `${wire.name} subscriber of ${stream}: expected one reset to epoch ${newEpoch} at seq 2, got ${JSON.stringify(subscriber.resets)}`,
      );
    }
    expectDelivered(subscriber, expectedTicks(1, 2));
  });
});
