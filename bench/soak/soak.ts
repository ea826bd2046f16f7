import { writeFile } from 'node:fs/promises';
import { FaultProxy } from '../../packages/client/test/support/fault-proxy.js';
import { injectFault, sleep } from './fault-injector.js';
import { createFaultSchedule, type FaultKind, faultKindsOf, formatFaultSchedule } from './fault-schedule.js';
import { type ProcessResources, readProcessResources } from './process-resources.js';
import { RecoveryTracker } from './recovery-tracker.js';
import { ResourceMonitor, SAMPLE_INTERVAL_MS } from './resource-monitor.js';
import { renderRssChart } from './rss-chart.js';
import { checkDeliveries, checkHeads, checkRssGrowth, measureRssGrowth } from './soak-checks.js';
import { type SoakDeployment, startSoakDeployment } from './soak-deployment.js';
import type { SoakOptions } from './soak-options.js';
import { StreamPublisher } from './soak-publisher.js';
import { renderFaultCounts, renderRssLines, renderTransportTable } from './soak-report.js';
import { closeSubscriberFleet, soakStreamName, startSubscriberFleet, type TransportGroup } from './subscriber-fleet.js';

/** What a soak run found. */
export interface SoakResult {
  /** Every broken promise, one message each; empty when the soak passed. */
  failures: string[];
  deliveries: number;
  faultCounts: Map<FaultKind, number>;
  /** The report printed at the end (Markdown). */
  report: string;
}

/** Things to stop when the run ends or is interrupted, last started first. */
export type Cleanup = () => Promise<void>;

const DRAIN_CHECK_INTERVAL_MS = 250;
/** How long descriptors get to settle once every client is gone, in ms. */
const FD_SETTLE_TIMEOUT_MS = 15_000;
/** Non-socket descriptors a node may open during the run and keep (log files, timers' eventfds). */
const NON_SOCKET_FD_ALLOWANCE = 8;

/**
 * Runs one soak (issue 18): starts the deployment, a fault proxy, subscribers on every transport
 * and one publisher per stream; injects the seeded faults; then checks every delivery, every
 * head, memory and descriptors. `onCleanup` receives each stop function as soon as the thing it
 * stops exists, so a Ctrl-C handler can stop everything started so far.
 */
export async function runSoak(
  options: SoakOptions,
  log: (line: string) => void = console.log,
  onCleanup: (cleanup: Cleanup) => void = () => {},
): Promise<SoakResult> {
  const nodeCount = options.topology === 'cluster' ? 3 : 1;
  const schedule = createFaultSchedule(
    options.seed,
    options.topology,
    options.loadDurationMs,
    options.faultIntervalMs,
    nodeCount,
    // A restarted node's process lives past its warm-up long enough for a few RSS samples (the
    // restart itself takes a few seconds of this).
    options.warmUpMs + 4 * SAMPLE_INTERVAL_MS,
  );
  log(`soak --${options.mode} --topology ${options.topology} --seed ${options.seed}`);
  log(`fault schedule (replay with --seed ${options.seed}):\n${formatFaultSchedule(schedule)}`);

  const deployment = await startSoakDeployment(options.topology);
  onCleanup(() => deployment.close());
  try {
    const proxy = await FaultProxy.start(deployment.url);
    onCleanup(() => proxy.close());
    try {
      return await drive(options, schedule, deployment, proxy, log, onCleanup);
    } finally {
      await proxy.close();
    }
  } finally {
    await deployment.close();
  }
}

async function drive(
  options: SoakOptions,
  schedule: ReturnType<typeof createFaultSchedule>,
  deployment: SoakDeployment,
  proxy: FaultProxy,
  log: (line: string) => void,
  onCleanup: (cleanup: Cleanup) => void,
): Promise<SoakResult> {
  const idle = await Promise.all(deployment.nodes.map((node) => readProcessResources(node.pid)));
  const streams = Array.from({ length: options.streamCount }, (_, i) => soakStreamName(i));
  const loadStartedAt = Date.now();
  const monitor = new ResourceMonitor(deployment.nodes, loadStartedAt);
  monitor.start();
  const groups = startSubscriberFleet(proxy.url, options);
  onCleanup(async () => closeSubscriberFleet(groups));
  const publishers = streams.map(
    (stream) => new StreamPublisher(deployment.url, stream, options.publishesPerSecondPerStream),
  );
  for (const publisher of publishers) publisher.start();
  const acknowledged = () => new Map(publishers.map((publisher) => [publisher.stream, publisher.acknowledged]));
  const recovery = new RecoveryTracker(groups);
  recovery.start();

  const faultCounts = new Map<FaultKind, number>(faultKindsOf(options.topology).map((kind) => [kind, 0]));
  try {
    for (const fault of schedule) {
      await sleep(loadStartedAt + fault.atMs - Date.now());
      const startedAt = Date.now();
      await injectFault(fault, { deployment, proxy, monitor, staleAfterMs: options.staleAfterMs });
      faultCounts.set(fault.kind, (faultCounts.get(fault.kind) ?? 0) + 1);
      recovery.faultEnded(fault.kind, acknowledged());
      const at = ((startedAt - loadStartedAt) / 1000).toFixed(1);
      log(
        `t+${at}s ${fault.kind}${fault.kind === 'kill-node' ? ` node ${fault.node + 1}` : ''} (${Date.now() - startedAt} ms)`,
      );
    }
    await sleep(loadStartedAt + options.loadDurationMs - Date.now());
  } finally {
    await Promise.all(publishers.map((publisher) => publisher.stop()));
  }
  const heads = acknowledged();
  log(`load over: ${sumOf(heads.values())} publishes acknowledged; draining`);
  const drainedInMs = await drain(groups, heads, options.drainTimeoutMs);
  recovery.stop();
  await monitor.sample();
  monitor.stop();

  const failures = publishers.flatMap((publisher) => publisher.errors);
  failures.push(...checkHeads(await readServerHeads(deployment.url, streams), heads));
  const records = groups.flatMap((group) => group.records);
  failures.push(...checkDeliveries(records, heads));
  const growths = measureRssGrowth(monitor.samples, deployment.nodes.length, options.warmUpMs);
  failures.push(...checkRssGrowth(growths));

  closeSubscriberFleet(groups);
  proxy.dropConnections();
  failures.push(...(await checkDescriptors(deployment, idle)));

  await writeFile(
    options.rssSvgPath,
    renderRssChart(
      monitor.samples,
      deployment.nodes.length,
      `Herald RSS, soak --${options.mode} --topology ${options.topology} --seed ${options.seed}`,
    ),
  );
  const deliveries = sumOf(records.map((record) => record.delivered));
  const report = [
    `deliveries: ${deliveries.toLocaleString('en')} (${records.length} subscriptions, ${streams.length} streams, ${sumOf(heads.values()).toLocaleString('en')} events), drained in ${drainedInMs ?? `> ${options.drainTimeoutMs}`} ms`,
    `publish retries: ${sumOf(publishers.map((publisher) => publisher.retries))}`,
    `faults: ${renderFaultCounts(faultCounts)}`,
    '',
    renderTransportTable(groups, heads, recovery, faultKindsOf(options.topology)),
    '',
    renderRssLines(growths),
    `RSS curve: ${options.rssSvgPath}`,
  ].join('\n');
  return { failures, deliveries, faultCounts, report };
}

/**
 * Waits until every subscription has reached its stream's head; the time it took, or undefined on
 * timeout. A seq missing below the head by then is lost for good: the client delivers in seq order,
 * so nothing below a delivered seq can still arrive (and if it did, it would be a reorder).
 */
async function drain(groups: readonly TransportGroup[], heads: ReadonlyMap<string, number>, timeoutMs: number) {
  const startedAt = Date.now();
  const records = groups.flatMap((group) => group.records);
  while (Date.now() - startedAt < timeoutMs) {
    if (records.every((record) => record.highestSeq >= (heads.get(record.stream) ?? 0))) return Date.now() - startedAt;
    await sleep(DRAIN_CHECK_INTERVAL_MS);
  }
  return undefined;
}

async function readServerHeads(baseUrl: string, streams: readonly string[]): Promise<Map<string, number>> {
  const heads = new Map<string, number>();
  for (const stream of streams) {
    const response = await fetch(`${baseUrl}/v1/streams/${encodeURIComponent(stream)}`);
    heads.set(stream, ((await response.json()) as { seq: number }).seq);
  }
  return heads;
}

/**
 * With every client gone, no node may hold a socket its peer closed (CLOSE_WAIT: a leaked
 * socket), nor more non-socket descriptors than when it was idle before the load. Sockets in use
 * (nginx's keep-alive pool, the PostgreSQL pool) are not leaks and are not counted.
 */
async function checkDescriptors(deployment: SoakDeployment, idle: readonly (ProcessResources | undefined)[]) {
  const deadline = Date.now() + FD_SETTLE_TIMEOUT_MS;
  for (;;) {
    const failures: string[] = [];
    for (const [index, node] of deployment.nodes.entries()) {
      const now = await readProcessResources(node.pid);
      const before = idle[index];
      if (!now || !before) {
        failures.push(`node ${index + 1}: its descriptors could not be read`);
        continue;
      }
      if (now.closeWaitSockets > 0)
        failures.push(`node ${index + 1}: ${now.closeWaitSockets} sockets left in CLOSE_WAIT (leaked)`);
      if (now.nonSocketFds > before.nonSocketFds + NON_SOCKET_FD_ALLOWANCE) {
        failures.push(
          `node ${index + 1}: ${now.nonSocketFds} non-socket descriptors, ${before.nonSocketFds} before the load`,
        );
      }
    }
    const own = await readProcessResources(process.pid);
    if (own && own.closeWaitSockets > 0)
      failures.push(`soak process: ${own.closeWaitSockets} sockets left in CLOSE_WAIT`);
    if (failures.length === 0 || Date.now() > deadline) return failures;
    await sleep(500);
  }
}

function sumOf(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
