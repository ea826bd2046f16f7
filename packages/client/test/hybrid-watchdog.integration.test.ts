/**
 * Seed 001's three scenarios against a real server, through a fault-injecting proxy: the hybrid
 * watchdog polls only when push delivery goes quiet, and never after the stream is final.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

const STALE_AFTER_MS = 1000;

describe('hybrid watchdog (seed 001)', () => {
  let herald: ProxiedHerald;
  let client: HeraldClient | undefined;

  beforeEach(async () => {
    herald = await startProxiedHerald();
  });
  afterEach(async () => {
    client?.close();
    await herald.close();
    vi.restoreAllMocks();
  });

  it('makes zero polls while the WebSocket is healthy', async () => {
    client = createTestClient(herald.proxy.url, { staleAfterMs: STALE_AFTER_MS });
    const run = recordSubscription(client, 'run:healthy');
    await waitUntil(() => client?.status === 'live', 5000, 'live');
    for (let i = 1; i <= 8; i += 1) {
      await publishDirect(herald.serverUrl, 'run:healthy', {
        type: i === 8 ? 'workflow_completed' : 'job_progress',
        final: i === 8,
      });
      await sleep(150);
    }
    await waitUntil(run.isFinal, 5000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(8));
    expect(client.stats()).toEqual({
      transport: 'websocket',
      polls: 0,
      reconnects: 0,
      eventsDelivered: 8,
      duplicatesDropped: 0,
      gapsFilled: 0,
    });
  });

  it('makes zero HTTP requests while idle for 60 s on a healthy WebSocket (seed 002: "0 requests when idle")', async () => {
    const requests: string[] = [];
    const countingFetch = (input: string, init?: RequestInit) => {
      requests.push(input);
      return fetch(input, init);
    };
    await publishDirect(herald.serverUrl, 'run:idle', { type: 'job_started' });
    await publishDirect(herald.serverUrl, 'run:idle', { type: 'job_progress' });
    // The default staleAfterMs (4 s): shorter than the server's 15 s heartbeat, as in production.
    client = createTestClient(herald.proxy.url, { fetch: countingFetch });
    const run = recordSubscription(client, 'run:idle');
    await waitUntil(() => run.seqs().length === 2 && client?.status === 'live', 5000, 'caught up and live');
    await sleep(60_000);
    expect(requests).toEqual([]);
    expect(client.stats()).toMatchObject({ transport: 'websocket', polls: 0, reconnects: 0 });
    // Still healthy: the next event arrives over the WebSocket.
    await publishDirect(herald.serverUrl, 'run:idle', { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 5000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(3));
    expect(requests).toEqual([]);
  }, 90_000);

  it('catches one silently dropped message with exactly one poll', async () => {
    client = createTestClient(herald.proxy.url, { staleAfterMs: STALE_AFTER_MS });
    const run = recordSubscription(client, 'run:drop');
    await waitUntil(() => client?.status === 'live', 5000, 'live');
    herald.proxy.dropMessages((text) => text.includes('"op":"event"') && text.includes('"seq":3'));
    for (let i = 1; i <= 3; i += 1) await publishDirect(herald.serverUrl, 'run:drop', { type: 'job_progress' });
    await waitUntil(() => run.seqs().length === 3, 5000, 'the watchdog to fetch seq 3');
    expect(herald.proxy.droppedMessages).toHaveLength(1);
    // Publish again before a second silent period elapses, as in the seed's timeline.
    await publishDirect(herald.serverUrl, 'run:drop', { type: 'job_progress' });
    await publishDirect(herald.serverUrl, 'run:drop', { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 5000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(5));
    expect(client.stats()).toMatchObject({ transport: 'websocket', polls: 1, gapsFilled: 0, duplicatesDropped: 0 });
    // A final stream is never polled again, however long the socket stays quiet.
    await sleep(STALE_AFTER_MS * 3);
    expect(client.stats().polls).toBe(1);
  });

  it('polls on time when the WebSocket dies, keeps delivering by polling, and stops once the stream is final', async () => {
    // Pinned jitter makes the reconnect schedule fixed: the failed attempts report 'reconnecting'
    // 50, 100, 200, 400 and 800 ms apart, each within STALE_AFTER_MS of the last, so a watchdog
    // that restarted its wait on every report would first poll about 2.5 s after the death.
    vi.spyOn(Math, 'random').mockReturnValue(0.1);
    client = createTestClient(herald.proxy.url, { staleAfterMs: STALE_AFTER_MS, transports: ['websocket'] });
    const run = recordSubscription(client, 'run:dies');
    await waitUntil(() => client?.status === 'live', 5000, 'live');
    await publishDirect(herald.serverUrl, 'run:dies', { type: 'job_started' });
    await waitUntil(() => run.seqs().length === 1, 5000, 'seq 1');
    herald.proxy.refuseWebSocket = true;
    herald.proxy.dropConnections();
    const firstAfterDeathAt = Date.now();
    for (let i = 2; i <= 5; i += 1) {
      await publishDirect(herald.serverUrl, 'run:dies', { type: 'job_progress' });
      await sleep(300);
    }
    await publishDirect(herald.serverUrl, 'run:dies', { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 10_000, 'final');
    expect(client.status).toBe('reconnecting');
    expect(run.seqs()).toEqual(seqsUpTo(6));
    // The watchdog polls STALE_AFTER_MS after the last message (seq 1); the rest is slack for a busy machine.
    const latencyMs = (run.deliveredAt(2) ?? Number.POSITIVE_INFINITY) - firstAfterDeathAt;
    expect(latencyMs).toBeLessThanOrEqual(2 * STALE_AFTER_MS);
    // The attempts at 50, 150, 350 and 750 ms all failed before that poll.
    expect(client.stats().reconnects).toBeGreaterThanOrEqual(4);
    const pollsAtFinal = client.stats().polls;
    expect(pollsAtFinal).toBeGreaterThanOrEqual(1);
    await sleep(STALE_AFTER_MS * 3);
    expect(client.stats()).toMatchObject({ polls: pollsAtFinal, eventsDelivered: 6, duplicatesDropped: 0 });
  });

  it('polls past a wedged WebSocket, then drops the stalled copies when it wakes up', async () => {
    client = createTestClient(herald.proxy.url, { staleAfterMs: STALE_AFTER_MS });
    const run = recordSubscription(client, 'run:wedged');
    await waitUntil(() => client?.status === 'live', 5000, 'live');
    herald.proxy.delayMs = 100;
    await publishDirect(herald.serverUrl, 'run:wedged', { type: 'job_started' });
    await waitUntil(() => run.seqs().length === 1, 5000, 'seq 1 through the slow link');
    expect(client.stats().polls).toBe(0);
    herald.proxy.stall();
    for (let i = 2; i <= 3; i += 1) await publishDirect(herald.serverUrl, 'run:wedged', { type: 'job_progress' });
    await waitUntil(() => run.seqs().length === 3, 5000, 'the watchdog to read seqs 2-3');
    expect(client.stats().polls).toBe(1);
    herald.proxy.resume();
    await publishDirect(herald.serverUrl, 'run:wedged', { type: 'workflow_completed', final: true });
    await waitUntil(run.isFinal, 5000, 'final');
    expect(run.seqs()).toEqual(seqsUpTo(4));
    expect(client.stats()).toMatchObject({
      transport: 'websocket',
      polls: 1,
      duplicatesDropped: 2,
      eventsDelivered: 4,
    });
  });
});
