import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamName } from '../client-process.js';
import {
  collectReports,
  expectMarks,
  openClients,
  startPublisherProcess,
  startServerProcess,
  stopFleet,
  stopServer,
} from '../fleet.js';
import type { PublishStepParams, PublishStepResult } from '../publisher-process.js';
import { quantileMs } from '../report/histogram.js';

/** "Many runs, few watchers": `streams` streams, `subscribersPerStream` each, one POST per event. */
export interface ManyStreamsParams {
  target: string;
  streams: number;
  subscribersPerStream: number;
  /** Total publish rates (events/s over all streams) tried in turn, lowest first. */
  rates: number[];
  /** About how long each rate is held; rounded so every stream gets the same number of events. */
  stepSec: number;
  sizeBytes: number;
  /** The p99 publish→receive a rate must keep to count as sustained. */
  maxP99Ms: number;
  /** Share of the asked rate that must be acknowledged to sustain it, and to go on rising (default 0.9). */
  minRateAchieved?: number;
}

/** One rate of the ramp. */
export interface ManyStreamsStep {
  perSecond: number;
  publishedPerSec: number;
  events: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  /** Server process CPU (user + system) over the step ÷ events published, µs. */
  cpuUsPerPublish: number;
  /** Every subscriber got every event of its stream exactly once, in order. */
  isComplete: boolean;
  /** Complete, no failed publish, ≥ 90 % of the asked rate acknowledged, and p99 within the bound. */
  isSustained: boolean;
}

/** The ramp of one target. */
export interface ManyStreamsResult extends ManyStreamsParams {
  steps: ManyStreamsStep[];
  /** The highest rate sustained (0 when none was). */
  sustainedPerSec: number;
  /** Server CPU per publish at the highest sustained rate (NaN when none was). */
  cpuUsPerPublish: number;
}

// A step that has not delivered everything this long after its last publish has lost events or
// drowned; the ramp stops there.
const DRAIN_TIMEOUT_MS = 10_000;
const DEFAULT_MIN_RATE_ACHIEVED = 0.9;
// A p99 this many times the bound means the server is saturated: higher rates only queue deeper.
const DROWNED_P99_FACTOR = 4;

/**
 * Opens `streams × subscribersPerStream` subscribers (subscriber i on stream i mod streams), then
 * publishes at each rate in turn from a separate load process, one event per HTTP POST, and stops
 * rising once a rate loses events, falls behind, or its p99 is far past the bound. Herald runs on SQLite (durable: acknowledged after
 * commit); the peers (`ws-corked-http`, `socketio-http`) broadcast from the same route.
 */
export async function runManyStreams(params: ManyStreamsParams): Promise<ManyStreamsResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess(params.target, { store: 'sqlite', dataDir });
  const prefix = 'bench:run';
  const streams = Array.from({ length: params.streams }, (_, i) => streamName(prefix, params.streams, i));
  const steps: ManyStreamsStep[] = [];
  try {
    const subscribers = params.streams * params.subscribersPerStream;
    const fleet = await openClients(server, params.target, prefix, subscribers, 0, undefined, params.streams);
    const publisher = await startPublisherProcess();
    try {
      let firstMark = 0;
      for (const perSecond of params.rates) {
        const rounds = Math.max(1, Math.round((perSecond * params.stepSec) / params.streams));
        await expectMarks(fleet, { first: firstMark, count: rounds });
        await server.child.call('markCpu');
        const stepParams: PublishStepParams = {
          url: server.url,
          streams,
          firstMark,
          rounds,
          perSecond,
          sizeBytes: params.sizeBytes,
        };
        const stepMs = ((rounds * params.streams) / perSecond) * 1000;
        const [report, published] = await Promise.all([
          collectReports(fleet, stepMs + DRAIN_TIMEOUT_MS),
          publisher.call<PublishStepResult>('publishStep', stepParams, stepMs + DRAIN_TIMEOUT_MS + 60_000),
        ]);
        const { cpuUs } = await server.child.call<{ cpuUs: number }>('cpu');
        const minPublishedPerSec = (params.minRateAchieved ?? DEFAULT_MIN_RATE_ACHIEVED) * perSecond;
        const isComplete = report.complete === subscribers && report.orderErrors === 0;
        const p99Ms = quantileMs(report.latency, 0.99);
        const step = {
          perSecond,
          publishedPerSec: published.publishedPerSec,
          events: published.published,
          failures: published.failures,
          p50Ms: quantileMs(report.latency, 0.5),
          p99Ms,
          cpuUsPerPublish: cpuUs / published.published,
          isComplete,
          isSustained:
            isComplete &&
            published.failures === 0 &&
            published.publishedPerSec >= minPublishedPerSec &&
            p99Ms <= params.maxP99Ms,
        };
        steps.push(step);
        // A lossy or overrun step is the ceiling (and leaves subscribers in no state to go on). A tail
        // over the bound alone goes on rising: on a shared machine one noisy step is not the ceiling.
        const isOverrun = !isComplete || published.failures > 0 || step.publishedPerSec < minPublishedPerSec;
        if (isOverrun || p99Ms > DROWNED_P99_FACTOR * params.maxP99Ms) break;
        firstMark += rounds;
      }
    } finally {
      await publisher.stop();
      await stopFleet(fleet);
    }
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The highest rate sustained; a noisy step below it does not lower it.
  const best = steps.filter((s) => s.isSustained).at(-1);
  return {
    ...params,
    steps,
    sustainedPerSec: best?.perSecond ?? 0,
    cpuUsPerPublish: best?.cpuUsPerPublish ?? Number.NaN,
  };
}
