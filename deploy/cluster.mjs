#!/usr/bin/env node
/**
 * Runs one Herald node per CPU core on ONE port with node:cluster (docs/scale-out.md).
 *
 *   HERALD_STORE=postgres://… HERALD_BROKER=redis://… node deploy/cluster.mjs [herald serve flags]
 *
 * Each worker is a full `herald serve` (its own hub and subscribers); the primary only accepts
 * connections and hands them to the workers in turn. Workers share nothing in memory, so they
 * need the shared store and broker: PostgreSQL and Redis, exactly like nodes on several machines.
 *
 * - HERALD_WORKERS: number of workers (default: the machine's available parallelism).
 * - A worker that dies is replaced (after a pause that grows to 5 s while it keeps dying); its
 *   clients reconnect to the other workers and resume from their position, nothing lost.
 * - SIGTERM / SIGINT: every worker shuts down gracefully (WebSocket close 1012, SSE ended,
 *   in-flight publishes finished), then the primary exits 0.
 * - SIGHUP: rolling restart, one worker at a time; each replacement listens before its
 *   predecessor is stopped, so the port never goes dark (deploy a new build without downtime).
 *
 * Run `npm run build` first: the workers run the built CLI.
 */
import cluster from 'node:cluster';
import { once } from 'node:events';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../packages/server/dist/index.js';

const CLI_BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const RESPAWN_BASE_DELAY_MS = 100;
const RESPAWN_MAX_DELAY_MS = 5_000;
// A worker that lived this long before dying was healthy: its replacement starts at the base delay.
const HEALTHY_UPTIME_MS = 10_000;

const argv = process.argv.slice(2);
const config = resolveConfig({ argv, env: process.env });
const workerCount = Number(process.env.HERALD_WORKERS ?? availableParallelism());

const isShared = /^postgres(ql)?:\/\//.test(config.store) && /^rediss?:\/\//.test(config.broker);
if (!Number.isSafeInteger(workerCount) || workerCount < 1) {
  console.error(`HERALD_WORKERS must be a positive integer, got "${process.env.HERALD_WORKERS}"`);
  process.exit(2);
}
if (workerCount > 1 && !isShared) {
  // Workers share no memory: with a local broker a subscriber would only hear its own worker.
  console.error(
    'several workers need a shared store and broker: set HERALD_STORE=postgres://… and HERALD_BROKER=redis://…',
  );
  process.exit(2);
}

cluster.setupPrimary({ exec: CLI_BIN, args: ['serve', ...argv] });

let isStopping = false;
let respawnDelayMs = RESPAWN_BASE_DELAY_MS;
/** Workers being replaced on purpose (rolling restart): their exit is not a crash. */
const retiring = new Set();

function fork() {
  const worker = cluster.fork();
  const startedAt = Date.now();
  worker.once('exit', (code, signal) => {
    if (isStopping || retiring.delete(worker)) return;
    const wasHealthy = Date.now() - startedAt > HEALTHY_UPTIME_MS;
    respawnDelayMs = wasHealthy ? RESPAWN_BASE_DELAY_MS : Math.min(respawnDelayMs * 2, RESPAWN_MAX_DELAY_MS);
    console.error(`herald worker ${worker.process.pid} died (${signal ?? code}); replacing it in ${respawnDelayMs} ms`);
    setTimeout(() => isStopping || fork(), respawnDelayMs);
  });
  return worker;
}

/** SIGTERM to a worker runs Herald's own graceful shutdown; resolves once it has exited. */
async function stopWorker(worker) {
  if (worker.isDead()) return;
  const exited = once(worker, 'exit');
  worker.process.kill('SIGTERM');
  await exited;
}

async function rollingRestart() {
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (isStopping || worker === undefined) return;
    const replacement = fork();
    await once(replacement, 'listening');
    retiring.add(worker);
    await stopWorker(worker);
  }
}

async function stopAll() {
  if (isStopping) return;
  isStopping = true;
  await Promise.all(Object.values(cluster.workers ?? {}).map((worker) => stopWorker(worker)));
  process.exit(0);
}

for (let i = 0; i < workerCount; i++) fork();
process.once('SIGTERM', stopAll);
process.once('SIGINT', stopAll);
process.on('SIGHUP', () => void rollingRestart());
