/**
 * Seed 004's offline outbox against a real server through the fault proxy: optimistic publishes
 * made during an outage stay pending, then land once each, in publish order, under their ids, and
 * the subscription's pending list empties as their echoes arrive.
 */
import type { EventsPage } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import {
  createTestClient,
  recordSubscription,
  seqsUpTo,
  sleep,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

const OUTAGE_MS = 10_000;
const IDS = ['outbox-1', 'outbox-2', 'outbox-3', 'outbox-4', 'outbox-5'];

describe('offline outbox through the fault proxy (seed 004)', () => {
  it('lands 5 optimistic publishes made during a 10 s outage once each, in order, with their ids', {
    timeout: 60_000,
  }, async ({ onTestFinished }) => {
    const herald = await startProxiedHerald();
    const client = createTestClient(herald.proxy.url);
    onTestFinished(async () => {
      client.close();
      await herald.close();
    });
    const stream = 'run:outbox';
    const run = recordSubscription(client, stream);
    await waitUntil(() => client.status === 'live', 5000, 'live');

    herald.proxy.takeDown();
    await waitUntil(() => client.status !== 'live', 10_000, 'the client to notice the outage');
    const startedAt = Date.now();
    const results: Promise<unknown>[] = [];
    for (const [index, id] of IDS.entries()) {
      results.push(client.publish(stream, { id, type: 'step', state: { last: index + 1 } }, { optimistic: true }));
      await sleep(OUTAGE_MS / (IDS.length + 1));
    }
    expect(run.subscription.snapshot().pending.map((event) => event.id)).toEqual(IDS);
    expect(run.subscription.snapshot().state).toEqual({ last: 5 });
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - startedAt)));
    // Still pending after the whole outage: not rolled back after a few quick retries.
    expect(run.subscription.snapshot().pending).toHaveLength(IDS.length);
    herald.proxy.bringUp();

    await Promise.all(results);
    await waitUntil(() => run.subscription.snapshot().pending.length === 0, 10_000, 'the pending list to empty');
    expect(run.delivered.map((event) => event.id)).toEqual(IDS);
    expect(run.seqs()).toEqual(seqsUpTo(IDS.length));
    // What the server stored, read past the proxy: each event once, in publish order.
    const response = await fetch(`${herald.serverUrl}/v1/streams/${encodeURIComponent(stream)}/events?after=0`);
    const page = (await response.json()) as EventsPage;
    expect(page.events.map((event) => [event.seq, event.id])).toEqual(IDS.map((id, index) => [index + 1, id]));
    expect(run.subscription.snapshot().state).toEqual({ last: 5 });
  });
});
