import { describe, expect, it } from 'vitest';
import { runCatchUp } from '../src/scenarios/catch-up.js';
import { runFanout } from '../src/scenarios/fanout.js';
import { runHttpPublish } from '../src/scenarios/http-publish.js';
import { runIngest } from '../src/scenarios/ingest.js';
import { runManyStreams } from '../src/scenarios/many-streams.js';
import { runMemory } from '../src/scenarios/memory.js';
import { runPoll304 } from '../src/scenarios/poll304.js';
import { TARGET_NAMES } from '../src/targets.js';

// Tiny end-to-end runs of the harness: real server and client processes, a few subscribers and
// messages, a second of HTTP load. They check that every scenario runs and its bookkeeping, never
// speed. (Ingest on PostgreSQL needs the database: smoke.integration.test.ts.)
const SUBSCRIBERS = 3;
const MESSAGES = 5;
const HISTORY_TARGETS = ['herald-ws', 'herald-sse', 'herald-longpoll'];
// The HTTP-published targets exist for the many-streams and publish scenarios only.
const HTTP_PUBLISHED_TARGETS = ['ws-corked-http', 'socketio-http', 'fastify-bare', 'fastify-durable'];
const LIVE_FANOUT_TARGETS = TARGET_NAMES.filter(
  (name) => name !== 'herald-longpoll' && !HTTP_PUBLISHED_TARGETS.includes(name),
);
const MANY_STREAMS_TARGETS = ['herald-ws', 'herald-sse', 'ws-corked-http', 'socketio-http'];
const IDLE_CONNECTIONS = 5;
// Five connections are within the noise of RSS anyway: no need to let allocations settle.
const MEMORY_SETTLE_MS = 100;
const LOAD_SECONDS = 1;

describe('bench harness', () => {
  it.each(LIVE_FANOUT_TARGETS)('delivers every message of a burst in order to every %s subscriber', async (target) => {
    const result = await runFanout({
      target,
      subscribers: SUBSCRIBERS,
      messages: MESSAGES,
      sizeBytes: 200,
      store: 'memory',
    });

    expect(result.orderErrors).toBe(0);
    expect(result.deliveries).toBe(SUBSCRIBERS * MESSAGES);
    expect(result.isComplete).toBe(true);
    expect(result.cpuUsPerDelivery).toBeGreaterThan(0);
    expect(result.deliveriesPerSec).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
  });

  it.each(LIVE_FANOUT_TARGETS)('delivers one event per publish in order to every %s subscriber', async (target) => {
    const result = await runFanout({
      target,
      subscribers: SUBSCRIBERS,
      messages: MESSAGES,
      sizeBytes: 200,
      store: 'sqlite',
      isOnePerPublish: true,
    });

    expect(result.orderErrors).toBe(0);
    expect(result.deliveries).toBe(SUBSCRIBERS * MESSAGES);
    expect(result.isComplete).toBe(true);
    expect(result.cpuUsPerDelivery).toBeGreaterThan(0);
  });

  it.each(MANY_STREAMS_TARGETS)(
    'delivers every POSTed event to both %s watchers of each stream, in order, at each rate',
    async (target) => {
      // Generous bounds: the smoke test checks the bookkeeping, not the latency of a loaded machine
      // (one slow acknowledgement in a half-second step would miss the 90 % rate rule).
      const result = await runManyStreams({
        target,
        streams: 4,
        subscribersPerStream: 2,
        rates: [20, 40],
        stepSec: 0.5,
        sizeBytes: 200,
        maxP99Ms: 60_000,
        minRateAchieved: 0,
      });

      expect(result.steps.map((step) => [step.perSecond, step.events, step.failures, step.isComplete])).toEqual([
        [20, 12, 0, true],
        [40, 20, 0, true],
      ]);
      expect(result.sustainedPerSec).toBe(40);
      expect(result.cpuUsPerPublish).toBeGreaterThan(0);
    },
  );

  it.each([
    ['herald', 1],
    ['herald-memory', 1],
    ['fastify-bare', 1],
    ['fastify-durable', 1],
    ['herald', 50],
  ] as const)('answers single-event POSTs to %s on %i stream(s) with 201', async (target, streams) => {
    const result = await runHttpPublish(target, streams, LOAD_SECONDS);

    expect(result.failures).toBe(0);
    expect(result.requestsPerSec).toBeGreaterThan(0);
  });

  it('paces messages on the durable SQLite log and times each delivery (latency)', async () => {
    const result = await runFanout({
      target: 'herald-ws',
      subscribers: SUBSCRIBERS,
      messages: 10,
      perSecond: 50,
      sizeBytes: 200,
      store: 'sqlite',
    });

    expect(result.isComplete).toBe(true);
    expect(result.deliveries).toBe(SUBSCRIBERS * 10);
    expect(result.publishedPerSec).toBeGreaterThan(0);
    expect(result.maxMs).toBeGreaterThanOrEqual(result.p99Ms);
  });

  it.each(HISTORY_TARGETS)('replays the history in order to a resuming %s subscriber', async (target) => {
    const result = await runCatchUp(target, 50, 1);

    expect(result.isComplete).toBe(true);
    expect(result.medianMs).toBeGreaterThan(0);
  });

  it.each(HISTORY_TARGETS)('measures server memory per idle %s connection', async (target) => {
    const result = await runMemory(target, IDLE_CONNECTIONS, MEMORY_SETTLE_MS);

    expect(result.connections).toBe(IDLE_CONNECTIONS);
    expect(Number.isFinite(result.rssKibPerConnection)).toBe(true);
    expect(Number.isFinite(result.heapKibPerConnection)).toBe(true);
  });

  it.each([100, 1])('ingests batches of %i events through POST on SQLite', async (batchEvents) => {
    const result = await runIngest('sqlite', batchEvents, LOAD_SECONDS);

    expect(result.failures).toBe(0);
    expect(result.requestsPerSec).toBeGreaterThan(0);
    expect(result.eventsPerSec).toBe(result.requestsPerSec * batchEvents);
  });

  it('answers conditional snapshot reads with 304 under load', async () => {
    const result = await runPoll304(LOAD_SECONDS, 20_000);

    expect(result.failures).toBe(0);
    expect(result.stateBytes).toBe(20_000);
    expect(result.requestsPerSec).toBeGreaterThan(0);
  });
});
