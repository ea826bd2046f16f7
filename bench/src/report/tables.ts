import { describePinning } from '../cpu-pinning.js';
import type { FanoutResult } from '../scenarios/fanout.js';
import type { MemoryResult } from '../scenarios/memory.js';
import { completeRuns, type LatencyRun, medianP99, medianP99Ratio, sameRoundPeerP99 } from './latency-rounds.js';
import { httpPublishTable, manyStreamsStepsTable, manyStreamsTable } from './per-publish-tables.js';
import { type Attempt, type BenchResults, measured } from './results.js';
import { cpuPerDelivery, isDurableRun, judge } from './verdicts.js';

// Each row is compared with these peers measured in the same run (ratio < 1: cheaper or faster).
const RATIO_PEERS = ['ws-corked', 'socketio', 'http-sse'];
const LATENCY_RATIO_PEERS = ['ws-corked', 'http-sse', 'socketio'];
const MEMORY_RATIO_PEERS = ['ws', 'http-sse'];

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A number with thousands separators; `–` when not measured. */
export function num(value: number | undefined, digits = 0): string {
  return value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A row per failed attempt, saying why it was not measured. */
export function failedRows<R>(attempts: readonly Attempt<R>[], width: number): string[][] {
  return attempts
    .filter((a) => a.error !== undefined)
    .map((a) => [a.label, `not measured: ${a.error}`, ...Array<string>(width - 2).fill('')]);
}

/** `value ÷ peer's value` as `0.93×`; `–` for the peer's own row or a peer not measured. */
function ratioCell(target: string, value: number, peer: string, peerValue: number | undefined): string {
  return peer === target || peerValue === undefined ? '–' : `${num(value / peerValue, 2)}×`;
}

/**
 * Row names of the one-per-publish table: Herald's memory-store runs (what the same publishes cost
 * without the commit) are marked, every other row is its target.
 */
function labelOnePerPublishRun(run: FanoutResult): string {
  return isDurableRun(run) ? run.target : `${run.target} (memory store, not durable)`;
}

function orderCell(run: FanoutResult): string {
  if (run.isComplete) return 'yes';
  return `NO (${num(run.deliveries)}/${num(run.expectedDeliveries)}, ${run.orderErrors} out of order)`;
}

/**
 * `labelOf` names a row where the target alone would not: the one-per-publish table shows Herald
 * on SQLite and on the memory store side by side.
 */
function fanoutTable(
  attempts: readonly Attempt<FanoutResult>[],
  labelOf: (run: FanoutResult) => string = (run) => run.target,
): string {
  const runs = measured(attempts);
  const rows = runs.map((run) => {
    const ratios = RATIO_PEERS.map((peer) =>
      ratioCell(run.target, run.cpuUsPerDelivery, peer, cpuPerDelivery(runs, peer, run.subscribers)),
    );
    return [
      labelOf(run),
      num(run.subscribers),
      num(run.messages),
      num(run.deliveriesPerSec),
      num(run.cpuUsPerDelivery, 2),
      ...ratios,
      orderCell(run),
    ];
  });
  const header = ['target', 'subs', 'msgs', 'deliveries/s', 'server CPU µs/delivery'];
  header.push(...RATIO_PEERS.map((peer) => `÷ ${peer}`), 'all delivered in order');
  return table(header, [...rows, ...failedRows(attempts, header.length)]);
}

function latencyTable(attempts: readonly Attempt<LatencyRun>[]): string {
  const header = [
    'target',
    'round',
    'subs',
    'msg/s asked',
    'server CPUs',
    'msg/s achieved',
    'messages',
    'p50 ms',
    'p99 ms',
    'max ms',
    'CPU µs/delivery',
    ...LATENCY_RATIO_PEERS.map((peer) => `p99 ÷ ${peer} (same round)`),
    'in order',
  ];
  const runs = measured(attempts);
  const rows = runs.map((run) => [
    run.target,
    num(run.round),
    num(run.subscribers),
    num(run.perSecond),
    describePinning(run.pinning),
    num(run.publishedPerSec),
    num(run.messages),
    num(run.p50Ms, 1),
    num(run.p99Ms, 1),
    num(run.maxMs, 1),
    num(run.cpuUsPerDelivery, 2),
    ...LATENCY_RATIO_PEERS.map((peer) => ratioCell(run.target, run.p99Ms, peer, sameRoundPeerP99(runs, peer, run))),
    orderCell(run),
  ]);
  return table(header, [...rows, ...failedRows(attempts, header.length)]);
}

/** Per target and rate, over the rounds: the median p99, its spread, and the median paired ratios. */
function latencySummaryTable(attempts: readonly Attempt<LatencyRun>[]): string {
  const runs = measured(attempts);
  const header = [
    'target',
    'msg/s asked',
    'complete rounds',
    'median p99 ms',
    'p99 range ms',
    ...LATENCY_RATIO_PEERS.map((peer) => `median p99 ÷ ${peer}`),
  ];
  // Each target at each rate once, in the order first measured.
  const pairs = new Map(runs.map((run) => [`${run.perSecond} ${run.target}`, run]));
  const rows = [...pairs.values()].map(({ target, perSecond = Number.NaN }) => {
    const p99s = completeRuns(runs, target, perSecond).map((run) => run.p99Ms);
    const ratios = LATENCY_RATIO_PEERS.map((peer) => {
      const value = peer === target ? undefined : medianP99Ratio(runs, target, peer, perSecond);
      return value === undefined ? '–' : `${num(value, 2)}×`;
    });
    const range = p99s.length === 0 ? '–' : `${num(Math.min(...p99s), 1)}–${num(Math.max(...p99s), 1)}`;
    return [target, num(perSecond), num(p99s.length), num(medianP99(runs, target, perSecond), 1), range, ...ratios];
  });
  return table(header, rows);
}

function memoryTable(attempts: readonly Attempt<MemoryResult>[]): string {
  const header = [
    'target',
    'idle connections',
    'server RSS KiB/connection',
    'heap KiB/connection',
    ...MEMORY_RATIO_PEERS.map((peer) => `RSS ÷ ${peer}`),
  ];
  const runs = measured(attempts);
  const peerRss = (peer: string) => runs.find((run) => run.target === peer)?.rssKibPerConnection;
  const rows = runs.map((run) => [
    run.target,
    num(run.connections),
    num(run.rssKibPerConnection, 1),
    num(run.heapKibPerConnection, 1),
    ...MEMORY_RATIO_PEERS.map((peer) => ratioCell(run.target, run.rssKibPerConnection, peer, peerRss(peer))),
  ]);
  return table(header, [...rows, ...failedRows(attempts, header.length)]);
}

/** Renders a run's results as Markdown: one table per scenario, then the targets. */
export function renderResults(results: BenchResults): string {
  const ingestHeader = ['store', 'events/request', 'durable events/s', 'requests/s', 'failed requests'];
  const ingestRows = measured(results.ingest).map((r) => [
    r.store,
    num(r.batchEvents),
    num(r.eventsPerSec),
    num(r.requestsPerSec),
    num(r.failures),
  ]);
  const catchUpHeader = ['transport', 'events behind', 'median ms to live', 'all delivered in order'];
  const catchUpRows = measured(results.catchUp).map((r) => [
    r.target,
    num(r.events),
    num(r.medianMs, 1),
    r.isComplete ? 'yes' : 'NO',
  ]);
  const pollHeader = ['path', 'state bytes', 'requests/s', 'p99 ms', 'failed requests'];
  const pollRows = measured(results.poll304).map((r) => [
    'GET /v1/streams/{stream} → 304',
    num(r.stateBytes),
    num(r.requestsPerSec),
    num(r.p99Ms, 1),
    num(r.failures),
  ]);
  const verdictRows = judge(results).map((v) => [
    v.goal,
    v.measured,
    v.isMet === undefined ? 'not measured' : v.isMet ? 'met' : 'MISSED',
  ]);
  return [
    '### Many runs, few watchers (one HTTP POST per event, rising rates)',
    manyStreamsTable(results.manyStreams),
    manyStreamsStepsTable(results.manyStreams),
    '### Fan-out (burst, one stream)',
    fanoutTable(results.fanout),
    '### Fan-out, one event per publish (Herald on SQLite, each publish its own commit; on the memory store beside it)',
    fanoutTable(results.fanoutSingle, labelOnePerPublishRun),
    '### HTTP single-event publish (POST, 32 connections)',
    httpPublishTable(results.httpPublish),
    '### Latency (paced, publish → receive)',
    latencyTable(results.latency),
    '#### Latency over the rounds (medians: the verdicts use these)',
    latencySummaryTable(results.latency),
    '### Idle memory',
    memoryTable(results.memory),
    '### Ingest (POST, durable)',
    table(ingestHeader, [...ingestRows, ...failedRows(results.ingest, ingestHeader.length)]),
    '### Catch-up',
    table(catchUpHeader, [...catchUpRows, ...failedRows(results.catchUp, catchUpHeader.length)]),
    '### ETag polling',
    table(pollHeader, [...pollRows, ...failedRows(results.poll304, pollHeader.length)]),
    '### Targets',
    table(['goal', 'measured', 'verdict'], verdictRows),
  ].join('\n\n');
}
