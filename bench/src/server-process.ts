import { encodeMarkData, nowMs } from './adapters/mark.js';
import type { BenchServer, ServerOptions } from './adapters/target.js';
import { serveRpc } from './ipc.js';
import { loadTarget } from './targets.js';

/** A burst: `count` messages of about `sizeBytes`, marks `first …`, published in one go. */
export interface BurstParams {
  stream: string;
  first: number;
  count: number;
  sizeBytes: number;
}

/** A paced run: `perSecond` messages for `durationMs`, each stamped when it is published. */
export interface PacedParams extends BurstParams {
  perSecond: number;
}

let server: BenchServer | undefined;
let cpuMark = process.cpuUsage();

function running(): BenchServer {
  if (!server) throw new Error('server not started');
  return server;
}

function markCpu(): void {
  cpuMark = process.cpuUsage();
}

async function burst(params: BurstParams): Promise<{ startedAtMs: number }> {
  markCpu();
  const startedAtMs = nowMs();
  const dataJsons = Array.from({ length: params.count }, (_, i) =>
    encodeMarkData(params.first + i, startedAtMs, params.sizeBytes),
  );
  await running().publish(params.stream, dataJsons);
  return { startedAtMs };
}

/**
 * The burst's messages, one publish call each, each in a turn of the event loop of its own (as
 * separate requests would be): a backend publishing run updates one at a time. Nothing batches or
 * corks across events; Herald commits each on its own.
 */
async function singles(params: BurstParams): Promise<{ startedAtMs: number }> {
  markCpu();
  const target = running();
  const startedAtMs = nowMs();
  for (let i = 0; i < params.count; i++) {
    await target.publish(params.stream, [encodeMarkData(params.first + i, nowMs(), params.sizeBytes)]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { startedAtMs };
}

async function paced(params: PacedParams): Promise<{ startedAtMs: number; publishedPerSec: number }> {
  markCpu();
  const target = running();
  const startedAtMs = nowMs();
  const intervalMs = 1000 / params.perSecond;
  const publishes: (Promise<void> | void)[] = [];
  for (let i = 0; i < params.count; i++) {
    // Sleep until this message is due; a late timer publishes the overdue ones back to back.
    const dueInMs = startedAtMs + i * intervalMs - nowMs();
    if (dueInMs > 1) await new Promise((resolve) => setTimeout(resolve, dueInMs));
    // Open loop, as for the peers: a publish is not awaited before the next is due. The subscribers'
    // order check verifies that the target kept the publish order.
    publishes.push(target.publish(params.stream, [encodeMarkData(params.first + i, nowMs(), params.sizeBytes)]));
  }
  await Promise.all(publishes);
  return { startedAtMs, publishedPerSec: params.count / ((nowMs() - startedAtMs) / 1000) };
}

serveRpc({
  async start(params: { target: string; options: ServerOptions }) {
    server = await (await loadTarget(params.target)).startServer(params.options);
    return { url: server.url };
  },
  burst,
  singles,
  paced,
  markCpu,
  /** Server CPU (user + system, µs) since the last mark. */
  cpu() {
    const used = process.cpuUsage(cpuMark);
    return { cpuUs: used.user + used.system };
  },
  memory() {
    globalThis.gc?.();
    globalThis.gc?.();
    const usage = process.memoryUsage();
    return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
  },
  async close() {
    await server?.close();
    server = undefined;
  },
});
