/**
 * The transport ladder against a real server: a proxy that refuses WebSocket upgrades pushes the
 * client to SSE, refusing SSE too pushes it to long-polling, and lifting both brings it back up to
 * WebSocket — with every event delivered exactly once, in order, across every switch (G1–G3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeraldClient } from '../src/types.js';
import {
  createTestClient,
  type ProxiedHerald,
  publishDirect,
  recordSubscription,
  seqsUpTo,
  sleep,
  startProxiedHerald,
  waitUntil,
} from './support/live-herald.js';

const STREAM = 'run:ladder';

describe('transport fallback and recovery', () => {
  let herald: ProxiedHerald;
  let client: HeraldClient | undefined;

  beforeEach(async () => {
    herald = await startProxiedHerald();
  });
  afterEach(async () => {
    client?.close();
    await herald.close();
  });

  it('falls back WebSocket → SSE → long-poll and climbs back to WebSocket without losing or repeating an event', async () => {
    herald.proxy.refuseWebSocket = true;
    client = createTestClient(herald.proxy.url, { staleAfterMs: 1000, probeIntervalMs: 1000 });
    const current = client;
    const run = recordSubscription(client, STREAM);
    expect(run.subscription.snapshot()).toMatchObject({ status: 'connecting', lastEventAt: null });
    const transports: string[] = [];
    const sampler = setInterval(() => {
      const transport = current.stats().transport;
      if (transport !== null && transports.at(-1) !== transport) transports.push(transport);
    }, 5);
    let published = 0;
    let isPublishing = true;
    const publishing = (async () => {
      while (isPublishing) {
        await publishDirect(herald.serverUrl, STREAM, { type: 'job_progress', data: { n: published + 1 } });
        published += 1;
        await sleep(50);
      }
    })();

    await waitUntil(() => current.stats().transport === 'sse', 10_000, 'SSE');
    herald.proxy.refuseSse = true;
    herald.proxy.dropConnections();
    await waitUntil(() => current.stats().transport === 'longpoll', 10_000, 'long-poll');
    expect(current.status).toBe('polling');
    expect(run.subscription.snapshot().status).toBe('polling');
    herald.proxy.refuseWebSocket = false;
    herald.proxy.refuseSse = false;
    await waitUntil(() => current.stats().transport === 'websocket', 10_000, 'WebSocket again');
    expect(current.status).toBe('live');
    expect(run.subscription.snapshot().status).toBe('live');

    isPublishing = false;
    await publishing;
    const finalPublishedAt = Date.now();
    await publishDirect(herald.serverUrl, STREAM, { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 10_000, 'final');
    const { lastEventAt } = run.subscription.snapshot();
    expect(run.subscription.snapshot().status).toBe('final');
    expect(lastEventAt).toBeGreaterThanOrEqual(finalPublishedAt);
    expect(lastEventAt).toBeLessThanOrEqual(run.deliveredAt(published + 1) ?? Number.NaN);
    clearInterval(sampler);
    // Back to the best rung: probe rounds go top first, so the client climbs straight to WebSocket,
    // or through SSE when the round under way had already found WebSocket refused as the refusals
    // lifted and its SSE probe was the first to get through; never one rung per probe interval.
    expect(transports.slice(0, 2)).toEqual(['sse', 'longpoll']);
    expect([['websocket'], ['sse', 'websocket']]).toContainEqual(transports.slice(2));
    expect(run.seqs()).toEqual(seqsUpTo(published + 1));
    expect(client.stats().eventsDelivered).toBe(published + 1);
  });
});
