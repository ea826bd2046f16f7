import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreKind } from '../adapters/target.js';
import type { CpuPinning } from '../cpu-pinning.js';
import { collectReports, expectMarks, openClients, startServerProcess, stopFleet, stopServer } from '../fleet.js';
import { quantileMs } from '../report/histogram.js';

/** One fan-out run: `messages` to `subscribers` on one stream, as a burst or paced at `perSecond`. */
export interface FanoutParams {
  target: string;
  subscribers: number;
  messages: number;
  sizeBytes: number;
  store: StoreKind;
  /** Paced publishing (latency scenario); a single burst when absent. */
  perSecond?: number;
  /** The burst as one publish call per message, each in its own event-loop turn (`singles`). */
  isOnePerPublish?: boolean;
  /** Where the server and its clients run (latency at saturation); the OS decides when absent. */
  pinning?: CpuPinning;
}

/** What one fan-out run measured. */
export interface FanoutResult extends FanoutParams {
  expectedDeliveries: number;
  deliveries: number;
  /** Every subscriber received every message exactly once, in order. */
  isComplete: boolean;
  orderErrors: number;
  /** Server process CPU (user + system) per delivery, µs. */
  cpuUsPerDelivery: number;
  /** Deliveries per second from the first publish until the last subscriber had the last message. */
  deliveriesPerSec: number;
  /** Paced runs: the publish rate achieved (below `perSecond` when the publisher fell behind). */
  publishedPerSec?: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

// A run that has not delivered everything by then has lost messages (or is hopelessly slow).
const MIN_DELIVERY_TIMEOUT_MS = 20_000;

/** Runs one fan-out measurement in fresh server and client processes. */
export async function runFanout(params: FanoutParams): Promise<FanoutResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess(params.target, { store: params.store, dataDir }, params.pinning);
  const stream = 'bench:fanout';
  try {
    const fleet = await openClients(server, params.target, stream, params.subscribers);
    try {
      await expectMarks(fleet, { first: 0, count: params.messages });
      const publishMs = params.perSecond ? (params.messages / params.perSecond) * 1000 : 0;
      const timeoutMs = MIN_DELIVERY_TIMEOUT_MS + publishMs;
      const publishParams = { stream, first: 0, count: params.messages, sizeBytes: params.sizeBytes };
      const publishing = params.perSecond
        ? server.child.call<{ startedAtMs: number; publishedPerSec: number }>('paced', {
            ...publishParams,
            perSecond: params.perSecond,
          })
        : server.child.call<{ startedAtMs: number; publishedPerSec?: number }>(
            params.isOnePerPublish ? 'singles' : 'burst',
            publishParams,
          );
      const [report, { startedAtMs, publishedPerSec }] = await Promise.all([
        collectReports(fleet, timeoutMs),
        publishing,
      ]);
      const { cpuUs } = await server.child.call<{ cpuUs: number }>('cpu');
      const elapsedSec = (report.lastReceiveAtMs - startedAtMs) / 1000;
      return {
        ...params,
        expectedDeliveries: params.subscribers * params.messages,
        deliveries: report.delivered,
        isComplete: report.complete === params.subscribers && report.orderErrors === 0,
        orderErrors: report.orderErrors,
        cpuUsPerDelivery: report.delivered > 0 ? cpuUs / report.delivered : Number.NaN,
        deliveriesPerSec: elapsedSec > 0 ? report.delivered / elapsedSec : Number.NaN,
        p50Ms: quantileMs(report.latency, 0.5),
        p99Ms: quantileMs(report.latency, 0.99),
        maxMs: report.latency.maxMs,
        ...(publishedPerSec === undefined ? {} : { publishedPerSec }),
      };
    } finally {
      await stopFleet(fleet);
    }
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
