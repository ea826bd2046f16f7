import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMarkData } from '../adapters/mark.js';
import { startServerProcess, stopServer } from '../fleet.js';
import { runHttpLoad } from './http-load.js';

/** Single-event POSTs/s to one target, on one stream or spread over `streams`. */
export interface HttpPublishResult {
  /**
   * `herald` (durable on SQLite: 201 after commit), `herald-memory` (the same server on the memory
   * store: what the HTTP path costs without the durable write), `fastify-bare` (201, nothing stored)
   * or `fastify-durable` (the bare route, 201 after an fsync'd group commit).
   */
  target: string;
  streams: number;
  requestsPerSec: number;
  p99Ms: number;
  failures: number;
  /**
   * The server process's CPU time (user + system) per answered request: what each request costs,
   * which the shared machine's load moves far less than the rate (the load generator runs on the
   * same two cores).
   */
  cpuUsPerRequest: number;
}

const SERVERS = {
  herald: { target: 'herald-ws', store: 'sqlite' },
  'herald-memory': { target: 'herald-ws', store: 'memory' },
  'fastify-bare': { target: 'fastify-bare', store: 'sqlite' },
  'fastify-durable': { target: 'fastify-durable', store: 'sqlite' },
} as const;

/** The servers the HTTP publish scenario compares. */
export type HttpPublishTarget = keyof typeof SERVERS;

/**
 * Drives `POST /v1/streams/{stream}/events` with one ~200-byte event per request for `durationSec`
 * (autocannon in the harness process): request n goes to stream n mod `streams`.
 */
export async function runHttpPublish(
  target: HttpPublishTarget,
  streams: number,
  durationSec: number,
): Promise<HttpPublishResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const { target: serverTarget, store } = SERVERS[target];
  const server = await startServerProcess(serverTarget, { store, dataDir });
  try {
    const pathOf = (n: number) => `/v1/streams/${encodeURIComponent(`bench:publish-${n % streams}`)}/events`;
    await server.child.call('markCpu');
    const load = await runHttpLoad(
      server.url,
      {
        method: 'POST',
        path: pathOf(0),
        headers: { 'content-type': 'application/json' },
        body: `{"type":"tick","data":${encodeMarkData(0, 0, 200)}}`,
        expectStatus: 201,
        ...(streams > 1 ? { pathFor: pathOf } : {}),
      },
      durationSec,
    );
    const { cpuUs } = await server.child.call<{ cpuUs: number }>('cpu');
    return {
      target,
      streams,
      requestsPerSec: load.requestsPerSec,
      p99Ms: load.p99Ms,
      failures: load.failures,
      cpuUsPerRequest: cpuUs / Math.max(1, load.total),
    };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
