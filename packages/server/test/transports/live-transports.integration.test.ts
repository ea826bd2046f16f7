import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIVE_TRANSPORTS, seqRange } from '../support/live-subscriber.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';

// The live transports' guarantees (docs/architecture.md G1 no gap, G2 no duplicate, G3 order)
// over WebSocket and SSE against an in-process server, with what only it can see: hub channels,
// serialise-once, retention sweeps. The public conformance suite is @herald/conformance.

let server: LiveTestServer;
let streamCount = 0;
const newStream = () => `run:conformance-${++streamCount}`;
const tick = (n: number) => ({ type: 'tick', data: { n } });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startLiveTestServer({ limits: { maxConnectionsPerIp: 1000 } }, { heartbeatIntervalMs: 200 });
});
afterAll(async () => {
  await server.close();
});

describe.each(LIVE_TRANSPORTS)('$name', (transport) => {
  it('resumes from any position: the events after it, then live (G1, G3)', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 12);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), async (after) => {
        const subscriber = await transport.subscribe(server.url, { [stream]: after });
        try {
          await subscriber.waitUntil(() => subscriber.lives(stream).length === 1);
          expect(subscriber.seqs(stream)).toEqual(seqRange(after + 1, 12));
          expect(subscriber.lives(stream)).toEqual([12]);
        } finally {
          subscriber.close();
        }
      }),
      { numRuns: 8 },
    );
  });

  it('hands over from history to live under a full-speed publisher with no loss, duplicate or reorder (G1–G3)', async () => {
    const stream = newStream();
    const total = 1200;
    let published = 0;
    const publishing = (async () => {
      while (published < total) {
        // Single events and small atomic batches, as fast as the log takes them.
        const size = Math.min(1 + (published % 3), total - published);
        published = await server.publish(stream, seqRange(published + 1, published + size).map(tick));
        if (published % 30 < 3) await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const subscribers = [];
    for (let i = 0; i < 8; i++) {
      while (published < i * 120) await pause(1);
      // Half start from the beginning (long catch-up), half from the head of the moment (short one).
      const after = i % 2 === 0 ? 0 : published;
      subscribers.push({ after, subscriber: await transport.subscribe(server.url, { [stream]: after }) });
    }
    await publishing;
    for (const { after, subscriber } of subscribers) {
      await subscriber.waitUntil(() => subscriber.seqs(stream).length >= total - after);
      expect(subscriber.seqs(stream)).toEqual(seqRange(after + 1, total));
      subscriber.close();
    }
  });

  it('delivers every event to 200 subscribers of one stream', async () => {
    const stream = newStream();
    const subscribers = await Promise.all(seqRange(1, 200).map(() => transport.subscribe(server.url, { [stream]: 0 })));
    await Promise.all(
      subscribers.map((subscriber) => subscriber.waitUntil(() => subscriber.lives(stream).length === 1)),
    );
    await server.publishTicks(stream, 20);
    await server.publish(stream, seqRange(21, 30).map(tick));
    for (const subscriber of subscribers) {
      await subscriber.waitUntil(() => subscriber.seqs(stream).length >= 30);
      expect(subscriber.seqs(stream)).toEqual(seqRange(1, 30));
      subscriber.close();
    }
  });

  it('serialises an event once, however many subscribers it goes to', async () => {
    // JSON.stringify calls from publish to delivery: a per-subscriber serialisation grows with them.
    const stringifyCallsToDeliver = async (subscriberCount: number) => {
      const stream = newStream();
      const subscribers = await Promise.all(
        seqRange(1, subscriberCount).map(() => transport.subscribe(server.url, { [stream]: 0 })),
      );
      await Promise.all(
        subscribers.map((subscriber) => subscriber.waitUntil(() => subscriber.lives(stream).length === 1)),
      );
      const stringify = vi.spyOn(JSON, 'stringify');
      try {
        await server.publish(stream, [tick(1)]);
        await Promise.all(
          subscribers.map((subscriber) => subscriber.waitUntil(() => subscriber.seqs(stream).length === 1)),
        );
        return stringify.mock.calls.length;
      } finally {
        stringify.mockRestore();
        for (const subscriber of subscribers) subscriber.close();
      }
    };
    const few = await stringifyCallsToDeliver(3);
    expect(await stringifyCallsToDeliver(60)).toBe(few);
  });

  // As many as one /v1/sse response takes of these names: its cursor must fit a Last-Event-ID header.
  it('delivers 120 streams to one subscriber, each in order', async () => {
    const streams = seqRange(1, 120).map(() => newStream());
    await Promise.all(streams.map((stream) => server.publish(stream, [tick(1)])));
    const subscriber = await transport.subscribe(server.url, Object.fromEntries(streams.map((stream) => [stream, 0])));
    await subscriber.waitUntil(() => streams.every((stream) => subscriber.lives(stream).length === 1));
    await Promise.all(streams.map((stream) => server.publish(stream, [tick(2), tick(3)])));
    await subscriber.waitUntil(() => streams.every((stream) => subscriber.seqs(stream).length >= 3));
    for (const stream of streams) expect(subscriber.seqs(stream)).toEqual([1, 2, 3]);
    subscriber.close();
  });

  it('sends heartbeats while the connection is idle', async () => {
    const stream = newStream();
    const subscriber = await transport.subscribe(server.url, { [stream]: 0 });
    await subscriber.waitUntil(() => subscriber.heartbeats() >= 2);
    expect(subscriber.seqs(stream)).toEqual([]);
    subscriber.close();
  });

  it('tells the subscriber when the stream is final', async () => {
    const stream = newStream();
    await server.publish(stream, [tick(1), tick(2), { type: 'done', final: true }]);
    const subscriber = await transport.subscribe(server.url, { [stream]: 1 });
    await subscriber.waitUntil(() => subscriber.hasFinal(stream));
    expect(subscriber.seqs(stream)).toEqual([2, 3]);
    subscriber.close();
  });

  it('resets a subscriber whose position was swept by retention, then sends the held events', async () => {
    const stream = newStream();
    await server.publish(
      stream,
      seqRange(1, 10).map((n) => ({ ...tick(n), state: { progress: n } })),
    );
    await server.herald.context.log.sweepRetention({ maxEventsPerStream: 4 });
    const subscriber = await transport.subscribe(server.url, { [stream]: 2 });
    await subscriber.waitUntil(() => subscriber.lives(stream).length === 1);
    expect(subscriber.resets(stream)).toMatchObject([
      { reason: 'truncated', seq: 10, firstSeq: 7, state: { progress: 10 } },
    ]);
    expect(subscriber.seqs(stream)).toEqual([7, 8, 9, 10]);
    subscriber.close();
  });

  it('resets a live subscriber when its stream is deleted and recreated', async () => {
    const stream = newStream();
    await server.publishTicks(stream, 3);
    const subscriber = await transport.subscribe(server.url, { [stream]: 0 });
    await subscriber.waitUntil(() => subscriber.lives(stream).length === 1);
    await server.herald.context.publisher.deleteStream(stream);
    await server.publishTicks(stream, 2);
    await subscriber.waitUntil(() => subscriber.seqs(stream).length >= 5);
    expect(subscriber.resets(stream)).toMatchObject([{ reason: 'epoch_changed' }]);
    expect(subscriber.seqs(stream)).toEqual([1, 2, 3, 1, 2]);
    subscriber.close();
  });

  it('detaches every stream from the hub once the client disconnects', async () => {
    const streams = seqRange(1, 3).map(() => newStream());
    await vi.waitFor(() => expect(server.herald.context.hub.channelCount).toBe(0));
    const subscriber = await transport.subscribe(server.url, Object.fromEntries(streams.map((stream) => [stream, 0])));
    await subscriber.waitUntil(() => streams.every((stream) => subscriber.lives(stream).length === 1));
    expect(server.herald.context.hub.channelCount).toBe(3);
    subscriber.close();
    await vi.waitFor(() => expect(server.herald.context.hub.channelCount).toBe(0));
  });
});
