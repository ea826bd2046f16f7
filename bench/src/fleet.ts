import { fileURLToPath } from 'node:url';
import type { ServerOptions } from './adapters/target.js';
import type { ExpectParams, OpenParams } from './client-process.js';
import { type CpuPinning, pinProcess } from './cpu-pinning.js';
import type { DeliveryReport } from './delivery-tracker.js';
import { forkRpc, type RpcChild } from './ipc.js';
import { createHistogram, mergeHistogram } from './report/histogram.js';

const SERVER_MODULE = fileURLToPath(new URL('./server-process.ts', import.meta.url));
const CLIENT_MODULE = fileURLToPath(new URL('./client-process.ts', import.meta.url));
const PUBLISHER_MODULE = fileURLToPath(new URL('./publisher-process.ts', import.meta.url));

// One client process comfortably drives this many sockets; more are spread over more processes.
const SUBSCRIBERS_PER_CLIENT_PROCESS = 2500;
// Opening 5,000 Socket.IO clients on a busy 2-core machine takes ~10 s; a stuck subscribe fails the run.
const OPEN_TIMEOUT_MS = 60_000;

/** A server process running one target. */
export interface ServerHandle {
  child: RpcChild;
  url: string;
  /** Set when the server was pinned: the CPUs its client processes are pinned to. */
  clientCpus?: string;
}

/** Client processes holding a target's subscribers. */
export interface ClientFleet {
  children: RpcChild[];
  /** Subscribers per child, in `children` order. */
  shares: number[];
}

/** Extra Node flags for server processes (e.g. `--cpu-prof`), set once from the command line. */
export const serverNodeFlags: string[] = [];

/**
 * Forks a server process and starts `target` in it; with `pinning`, the server is pinned to its
 * CPUs before it starts, and the clients opened for it (openClients) to theirs.
 */
export async function startServerProcess(
  target: string,
  options: ServerOptions,
  pinning?: CpuPinning,
): Promise<ServerHandle> {
  const child = await forkRpc(SERVER_MODULE, ['--expose-gc', ...serverNodeFlags]);
  try {
    if (pinning?.isPinned) pinProcess(child.pid, pinning.serverCpus);
    const { url } = await child.call<{ url: string }>('start', { target, options });
    return pinning?.isPinned ? { child, url, clientCpus: pinning.clientCpus } : { child, url };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Forks enough client processes for `subscribers` and opens them all; resolves once all are live. */
export async function openClients(
  server: ServerHandle,
  target: string,
  stream: string,
  subscribers: number,
  after = 0,
  expect?: ExpectParams,
  streamCount?: number,
): Promise<ClientFleet & { openMs: number }> {
  const processes = Math.max(1, Math.ceil(subscribers / SUBSCRIBERS_PER_CLIENT_PROCESS));
  const shares = Array.from(
    { length: processes },
    (_, i) => Math.floor(subscribers / processes) + (i < subscribers % processes ? 1 : 0),
  );
  const children = await Promise.all(shares.map(() => forkRpc(CLIENT_MODULE)));
  const fleet = { children, shares };
  try {
    const { clientCpus } = server;
    if (clientCpus) for (const child of children) pinProcess(child.pid, clientCpus);
    const opened = await Promise.all(
      children.map((child, i) => {
        const params: OpenParams = { target, url: server.url, stream, subscribers: shares[i] ?? 0, after };
        if (expect) params.expect = expect;
        if (streamCount) {
          params.streamCount = streamCount;
          params.firstIndex = shares.slice(0, i).reduce((sum, share) => sum + share, 0);
        }
        return child.call<{ opened: number; openMs: number }>('open', params, OPEN_TIMEOUT_MS);
      }),
    );
    return { ...fleet, openMs: Math.max(...opened.map((o) => o.openMs)) };
  } catch (error) {
    await stopFleet(fleet);
    throw error;
  }
}

/** Tells every client which marks come next. */
export async function expectMarks(fleet: ClientFleet, expect: ExpectParams): Promise<void> {
  await Promise.all(fleet.children.map((child) => child.call('expect', expect)));
}

/** Waits for every client to be complete (or the timeout) and merges their reports. */
export async function collectReports(fleet: ClientFleet, timeoutMs: number): Promise<DeliveryReport> {
  const reports = await Promise.all(
    fleet.children.map((child) => child.call<DeliveryReport>('waitComplete', { timeoutMs }, timeoutMs + 10_000)),
  );
  const merged: DeliveryReport = {
    subscribers: 0,
    complete: 0,
    delivered: 0,
    orderErrors: 0,
    firstReceiveAtMs: Number.POSITIVE_INFINITY,
    lastReceiveAtMs: 0,
    latency: createHistogram(),
  };
  for (const report of reports) {
    merged.subscribers += report.subscribers;
    merged.complete += report.complete;
    merged.delivered += report.delivered;
    merged.orderErrors += report.orderErrors;
    if (report.firstReceiveAtMs > 0)
      merged.firstReceiveAtMs = Math.min(merged.firstReceiveAtMs, report.firstReceiveAtMs);
    merged.lastReceiveAtMs = Math.max(merged.lastReceiveAtMs, report.lastReceiveAtMs);
    mergeHistogram(merged.latency, report.latency);
  }
  return merged;
}

/** Ends the client processes; their exit closes every subscriber's socket at once. */
export async function stopFleet(fleet: ClientFleet): Promise<void> {
  await Promise.all(fleet.children.map((child) => child.stop()));
}

/** Forks the HTTP load process of the many-streams scenario (`publisher-process.ts`). */
export function startPublisherProcess(): Promise<RpcChild> {
  return forkRpc(PUBLISHER_MODULE);
}

/** Closes the target and ends the server process. */
export async function stopServer(server: ServerHandle): Promise<void> {
  await server.child.call('close', undefined, 10_000).catch(() => undefined);
  await server.child.stop();
}
