import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMarkData } from '../adapters/mark.js';
import type { StoreKind } from '../adapters/target.js';
import { startServerProcess, stopServer } from '../fleet.js';
import { runHttpLoad } from './http-load.js';

/** Durable publish throughput through `POST /v1/streams/{stream}/events`. */
export interface IngestResult {
  store: StoreKind;
  /** Events per request: 1 (single) or the batch size. */
  batchEvents: number;
  eventsPerSec: number;
  requestsPerSec: number;
  failures: number;
}

/** Publishes the same ~200-byte event (or a batch of them) for `durationSec` and counts durable events/s. */
export async function runIngest(store: StoreKind, batchEvents: number, durationSec: number): Promise<IngestResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess('herald-ws', { store, dataDir });
  try {
    const event = `{"type":"tick","data":${encodeMarkData(0, 0, 200)}}`;
    const body = batchEvents === 1 ? event : `{"events":[${Array(batchEvents).fill(event).join(',')}]}`;
    // A fresh stream per run: a reused PostgreSQL database keeps earlier runs' streams.
    const stream = `bench:ingest-${process.pid}-${Date.now()}`;
    const load = await runHttpLoad(
      server.url,
      {
        method: 'POST',
        path: `/v1/streams/${encodeURIComponent(stream)}/events`,
        headers: { 'content-type': 'application/json' },
        body,
        expectStatus: 201,
      },
      durationSec,
    );
    return {
      store,
      batchEvents,
      eventsPerSec: load.requestsPerSec * batchEvents,
      requestsPerSec: load.requestsPerSec,
      failures: load.failures,
    };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
