/**
 * The client on each transport alone, against a real server: the same promises (G1 no gap, G2 no
 * duplicate, G3 order, resets, final) whatever wire carries them. The fallback between transports
 * is transport-fallback.integration.test.ts.
 */
import { type HeraldEvent, streamPath } from '@herald/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeraldClient } from '../src/types.js';
import { TRANSPORT_ORDER } from '../src/types.js';
import {
  createTestClient,
  type ProxiedHerald,
  publishDirect,
  recordSubscription,
  seqsUpTo,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

const EXPECTED_STATUS = { websocket: 'live', sse: 'live', longpoll: 'polling', poll: 'polling' } as const;

describe.each(TRANSPORT_ORDER)('on %s alone', (transport) => {
  let herald: ProxiedHerald;
  let client: HeraldClient;

  beforeEach(async () => {
    herald = await startProxiedHerald();
    client = createTestClient(herald.proxy.url, { transports: [transport] });
  });
  afterEach(async () => {
    client.close();
    await herald.close();
  });

  const publishTicks = async (stream: string, from: number, to: number) => {
    for (let n = from; n <= to; n++) await publishDirect(herald.serverUrl, stream, { type: 'tick', data: { n } });
  };

  it('delivers the history, then live events, each once and in order, and stops at the final event', async () => {
    await publishTicks('run:matrix', 1, 5);
    const run = recordSubscription(client, 'run:matrix');
    await waitUntil(() => run.seqs().length === 5, 10_000, 'the history');
    expect(client.stats().transport).toBe(transport);
    expect(client.status).toBe(EXPECTED_STATUS[transport]);
    await publishTicks('run:matrix', 6, 10);
    await publishDirect(herald.serverUrl, 'run:matrix', { type: 'done', final: true });
    await waitUntil(run.isFinal, 10_000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(11));
    expect(run.delivered.slice(0, 10).map((event) => (event.data as { n: number }).n)).toEqual(seqsUpTo(10));
    expect(run.subscription.snapshot()).toMatchObject({ status: 'final', final: true, seq: 11 });
  });

  it('finishes a subscription resumed at the final event without waiting for the watchdog', async () => {
    await publishTicks('run:matrix-done', 1, 2);
    await publishDirect(herald.serverUrl, 'run:matrix-done', { type: 'done', final: true });
    // The watchdog would only look after a minute: finishing sooner needs the transport's own word.
    const resumed = createTestClient(herald.proxy.url, { transports: [transport], staleAfterMs: 60_000 });
    try {
      let finalSeq: number | undefined;
      resumed.subscribe('run:matrix-done', { after: 3, onFinal: (snapshot) => (finalSeq = snapshot.seq) });
      await waitUntil(() => finalSeq !== undefined, 10_000, 'onFinal');
      expect(finalSeq).toBe(3);
    } finally {
      resumed.close();
    }
  });

  it('resumes across dropped connections with no event lost or repeated', async () => {
    const run = recordSubscription(client, 'run:matrix-cut');
    await publishTicks('run:matrix-cut', 1, 3);
    await waitUntil(() => run.seqs().length === 3, 10_000, 'the first events');
    herald.proxy.dropConnections();
    await publishTicks('run:matrix-cut', 4, 6);
    herald.proxy.dropConnections();
    await publishTicks('run:matrix-cut', 7, 9);
    await waitUntil(() => run.seqs().length >= 9, 15_000, 'every event');
    expect(run.seqs()).toEqual(seqsUpTo(9));
    expect(client.stats().transport).toBe(transport);
  });

  it('resets when the stream is deleted and recreated, then delivers the new epoch from seq 1', async () => {
    const resets: number[] = [];
    const delivered: HeraldEvent[] = [];
    const subscription = client.subscribe('run:matrix-reset', {
      onEvent: (event) => delivered.push(event),
      onReset: (snapshot) => resets.push(snapshot.seq),
    });
    await publishTicks('run:matrix-reset', 1, 3);
    await waitUntil(() => delivered.length === 3, 10_000, 'the first epoch');
    const deleted = await fetch(`${herald.serverUrl}${streamPath('run:matrix-reset')}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    await publishTicks('run:matrix-reset', 1, 2);
    await waitUntil(() => subscription.snapshot().seq === 2 && resets.length > 0, 15_000, 'the new epoch');
    expect(delivered.map((event) => event.seq)).toEqual([1, 2, 3, 1, 2]);
    expect(subscription.snapshot().events.map((event) => event.seq)).toEqual([1, 2]);
  });

  // The poll transport reads at staleAfterMs; the others would only through the watchdog.
  const withoutWatchdog = () =>
    createTestClient(herald.proxy.url, { transports: [transport], staleAfterMs: transport === 'poll' ? 1000 : 60_000 });

  it('resets every view of a stream, whatever seq it was opened at, when the stream is made again while away (review finding)', async () => {
    const stream = 'run:matrix-views';
    for (let n = 1; n <= 4; n++)
      await publishDirect(herald.serverUrl, stream, { type: 'tick', state: { epoch: 'old' } });
    const views = withoutWatchdog();
    try {
      const open = (after: number | undefined) => {
        const delivered: string[] = [];
        const resets: number[] = [];
        const subscription = views.subscribe(stream, {
          ...(after === undefined ? {} : { after }),
          onEvent: (event) => delivered.push(`${event.seq}:${(event.state as { epoch: string }).epoch}`),
          onReset: (snapshot) => resets.push(snapshot.seq),
        });
        return { delivered, resets, subscription };
      };
      // The later views open on a stream already delivered, at seqs of their own.
      const recorded = [open(undefined)];
      await waitUntil(() => recorded[0]!.delivered.length === 4, 10_000, 'the old epoch');
      recorded.push(open(2), open(4));
      // Each view has read the stream's snapshot or events (and with them its epoch) by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      herald.proxy.takeDown();
      const deleted = await fetch(`${herald.serverUrl}${streamPath(stream)}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      for (let n = 1; n <= 6; n++)
        await publishDirect(herald.serverUrl, stream, { type: 'tick', state: { epoch: 'new' } });
      herald.proxy.bringUp();
      await waitUntil(
        () => recorded.every(({ subscription, resets }) => subscription.snapshot().seq === 6 && resets.length > 0),
        15_000,
        'the new epoch in every view',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const newEpoch = ['1:new', '2:new', '3:new', '4:new', '5:new', '6:new'];
      expect(recorded.map(({ delivered }) => delivered.filter((entry) => entry.endsWith(':new')))).toEqual([
        newEpoch,
        newEpoch,
        newEpoch,
      ]);
      expect(recorded.map(({ resets }) => resets.length)).toEqual([1, 1, 1]);
    } finally {
      views.close();
    }
  });

  it('gives a second view of a stream already delivered its events at once (review finding)', async () => {
    const stream = 'run:matrix-second-view';
    for (let n = 1; n <= 4; n++) await publishDirect(herald.serverUrl, stream, { type: 'tick' });
    const views = withoutWatchdog();
    try {
      const first: number[] = [];
      views.subscribe(stream, { onEvent: (event) => first.push(event.seq) });
      await waitUntil(() => first.length === 4, 10_000, 'the first view');
      const second: number[] = [];
      const fromTwo: number[] = [];
      views.subscribe(stream, { onEvent: (event) => second.push(event.seq) });
      views.subscribe(stream, { after: 2, onEvent: (event) => fromTwo.push(event.seq) });
      await waitUntil(() => second.length === 4 && fromTwo.length === 2, 10_000, 'the later views');
      expect(second).toEqual([1, 2, 3, 4]);
      expect(fromTwo).toEqual([3, 4]);
    } finally {
      views.close();
    }
  });

  it('resets a view opened past the head of a final stream made again, then finishes it there (review finding)', async () => {
    const stream = 'run:matrix-past-final';
    await publishDirect(herald.serverUrl, stream, { type: 'tick' });
    await publishDirect(herald.serverUrl, stream, { type: 'tick' });
    await publishDirect(herald.serverUrl, stream, { type: 'done', final: true });
    const views = withoutWatchdog();
    try {
      const delivered: number[] = [];
      let resets = 0;
      let finalSeq: number | undefined;
      views.subscribe(stream, {
        after: 5,
        onEvent: (event) => delivered.push(event.seq),
        onReset: () => resets++,
        onFinal: (snapshot) => (finalSeq = snapshot.seq),
      });
      await waitUntil(() => finalSeq !== undefined, 10_000, 'onFinal');
      expect({ resets, delivered, finalSeq }).toEqual({ resets: 1, delivered: [1, 2, 3], finalSeq: 3 });
    } finally {
      views.close();
    }
  });

  it.each([
    ['before its first event', true],
    ['after its first event', false],
  ])(
    'resets a subscriber that subscribed %s when the stream is made again while it is away, delivering the new epoch once (review finding)',
    async (_when, isBeforeFirstEvent) => {
      const stream = `run:matrix-away-${isBeforeFirstEvent ? 'before' : 'after'}`;
      if (!isBeforeFirstEvent) await publishDirect(herald.serverUrl, stream, { type: 'tick', state: { epoch: 'old' } });
      const resets: number[] = [];
      const delivered: string[] = [];
      // No watchdog read while the test runs: the epoch must come with the events themselves. (The
      // poll transport reads pages, which carry it, every staleAfterMs.)
      const staleAfterMs = transport === 'poll' ? 1000 : 60_000;
      const away = createTestClient(herald.proxy.url, { transports: [transport], staleAfterMs });
      try {
        const subscription = away.subscribe(stream, {
          onEvent: (event) => delivered.push(`${event.seq}:${(event.state as { epoch: string }).epoch}`),
          onReset: (snapshot) => resets.push(snapshot.seq),
        });
        await waitUntil(() => subscription.snapshot().status !== 'connecting', 10_000, 'subscribed');
        const first = isBeforeFirstEvent ? 1 : 2;
        for (let n = first; n <= 3; n++) {
          await publishDirect(herald.serverUrl, stream, { type: 'tick', state: { epoch: 'old' } });
        }
        await waitUntil(() => delivered.length === 3, 10_000, 'the old epoch');
        herald.proxy.takeDown();
        const deleted = await fetch(`${herald.serverUrl}${streamPath(stream)}`, { method: 'DELETE' });
        expect(deleted.status).toBe(200);
        for (let n = 1; n <= 4; n++) {
          await publishDirect(herald.serverUrl, stream, { type: 'tick', state: { epoch: 'new' } });
        }
        herald.proxy.bringUp();
        await waitUntil(() => subscription.snapshot().seq === 4 && resets.length > 0, 15_000, 'the new epoch');
        // Long enough for a second answer (a read and a resubscription racing) to show.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(delivered).toEqual(['1:old', '2:old', '3:old', '1:new', '2:new', '3:new', '4:new']);
        expect(resets).toHaveLength(1);
        expect(subscription.snapshot().state).toEqual({ epoch: 'new' });
      } finally {
        away.close();
      }
    },
  );
});
