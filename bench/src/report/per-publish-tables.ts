import type { HttpPublishResult } from '../scenarios/http-publish.js';
import type { ManyStreamsResult } from '../scenarios/many-streams.js';
import { type Attempt, measured } from './results.js';
import { failedRows, num, table } from './tables.js';

/** The peer whose sustained rate each many-streams target is compared with. */
export const MANY_STREAMS_PEER = 'ws-corked-http';
/** The floor Herald's HTTP publish is compared with. */
export const HTTP_PUBLISH_FLOOR = 'fastify-bare';
/** The same bare route committing each event durably (group commit, fsync): what durability alone allows. */
export const HTTP_PUBLISH_DURABLE_PEER = 'fastify-durable';

/** Highest rate sustained, with `≥` when even the top rate of the ramp was (the ceiling lies above). */
function sustainedCell(run: ManyStreamsResult): string {
  if (run.sustainedPerSec === 0) return `< ${num(run.steps[0]?.perSecond)}`;
  return `${run.sustainedPerSec === run.rates.at(-1) ? '≥ ' : ''}${num(run.sustainedPerSec)}`;
}

/**
 * CPU per publish against the peer's at the same rate: a server's fixed costs (timers, GC) spread
 * over fewer publishes at a lower rate, so CPU at two different rates does not compare.
 */
function cpuRatioAtSameRate(run: ManyStreamsResult, peer: ManyStreamsResult | undefined): string {
  const peerStep = peer?.steps.find((step) => step.perSecond === run.sustainedPerSec);
  return run === peer || !peerStep ? '–' : `${num(run.cpuUsPerPublish / peerStep.cpuUsPerPublish, 2)}×`;
}

/** The headline: each target's sustained rate, its CPU per publish, and the ratio to the corked-ws peer. */
export function manyStreamsTable(attempts: readonly Attempt<ManyStreamsResult>[]): string {
  const runs = measured(attempts);
  const peer = runs.find((run) => run.target === MANY_STREAMS_PEER);
  const header = [
    'target',
    'streams × subs',
    'events/s sustained (p99 ≤ 50 ms)',
    `÷ ${MANY_STREAMS_PEER}`,
    'server CPU µs/publish there',
    `CPU ÷ ${MANY_STREAMS_PEER} at that rate`,
  ];
  const rows = runs.map((run) => [
    run.target,
    `${num(run.streams)} × ${run.subscribersPerStream}`,
    sustainedCell(run),
    run === peer || !peer?.sustainedPerSec ? '–' : `${num(run.sustainedPerSec / peer.sustainedPerSec, 2)}×`,
    num(run.cpuUsPerPublish, 1),
    cpuRatioAtSameRate(run, peer),
  ]);
  return table(header, [...rows, ...failedRows(attempts, header.length)]);
}

/** Every step of every ramp: where each target's tail and CPU went as the rate rose. */
export function manyStreamsStepsTable(attempts: readonly Attempt<ManyStreamsResult>[]): string {
  const header = [
    'target',
    'events/s asked',
    'acknowledged/s',
    'p50 ms',
    'p99 ms',
    'server CPU µs/publish',
    'failed POSTs',
    'all delivered in order',
    'sustained',
  ];
  const rows = measured(attempts).flatMap((run) =>
    run.steps.map((step) => [
      run.target,
      num(step.perSecond),
      num(step.publishedPerSec),
      num(step.p50Ms, 1),
      num(step.p99Ms, 1),
      num(step.cpuUsPerPublish, 1),
      num(step.failures),
      step.isComplete ? 'yes' : 'NO',
      step.isSustained ? 'yes' : 'no',
    ]),
  );
  return table(header, rows);
}

const HTTP_PUBLISH_LABELS: Record<string, string> = {
  herald: 'herald (SQLite, 201 after commit)',
  'herald-memory': 'herald (memory store, not durable)',
  'fastify-durable': 'fastify-durable (SQLite, 201 after commit)',
};

/**
 * Single-event POSTs/s, Herald (durable) beside the bare framework, per stream count; Herald on
 * the memory store and the bare route made durable show how much of the gap is the durable write
 * and how much Herald's HTTP path.
 */
export function httpPublishTable(attempts: readonly Attempt<HttpPublishResult>[]): string {
  const runs = measured(attempts);
  const header = [
    'target',
    'streams',
    'requests/s',
    'p99 ms',
    `÷ ${HTTP_PUBLISH_FLOOR}`,
    `÷ ${HTTP_PUBLISH_DURABLE_PEER}`,
    'server CPU µs/request',
    `CPU ÷ ${HTTP_PUBLISH_FLOOR}`,
    'failed requests',
  ];
  const rows = runs.map((run) => {
    const floor = runs.find((r) => r.target === HTTP_PUBLISH_FLOOR && r.streams === run.streams);
    const durablePeer = runs.find((r) => r.target === HTTP_PUBLISH_DURABLE_PEER && r.streams === run.streams);
    const hasNoFloorRatio = run === floor || !floor;
    const hasNoDurableRatio = run === durablePeer || !durablePeer;
    return [
      HTTP_PUBLISH_LABELS[run.target] ?? run.target,
      num(run.streams),
      num(run.requestsPerSec),
      num(run.p99Ms, 1),
      hasNoFloorRatio ? '–' : `${num(run.requestsPerSec / floor.requestsPerSec, 2)}×`,
      hasNoDurableRatio ? '–' : `${num(run.requestsPerSec / durablePeer.requestsPerSec, 2)}×`,
      num(run.cpuUsPerRequest, 1),
      hasNoFloorRatio ? '–' : `${num(run.cpuUsPerRequest / floor.cpuUsPerRequest, 2)}×`,
      num(run.failures),
    ];
  });
  return table(header, [...rows, ...failedRows(attempts, header.length)]);
}
