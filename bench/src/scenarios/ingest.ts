import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

// autocannon resolves with requests still in the server's group commit; they land within this.
const SETTLE_CHECK_MS = 100;

/** Deletes the stream once its head seq stops moving (no append left in flight to recreate it). */
async function deleteSettledStream(streamUrl: string): Promise<void> {
  const readSeq = async () => ((await (await fetch(streamUrl)).json()) as { seq: number }).seq;
  let seq = await readSeq();
  for (;;) {
    await sleep(SETTLE_CHECK_MS);
    const next = await readSeq();
    if (next === seq) break;
    seq = next;
  }
  const deleted = await fetch(streamUrl, { method: 'DELETE' });
  if (deleted.status !== 200) throw new Error(`DELETE ${streamUrl} answered ${deleted.status}`);
}

/** Publishes the same ~200-byte event (or a batch of them) for `durationSec` and counts durable events/s. */
export async function runIngest(store: StoreKind, batchEvents: number, durationSec: number): Promise<IngestResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess('herald-ws', { store, dataDir });
  try {
    const event = `{"type":"tick","data":${encodeMarkData(0, 0, 200)}}`;
    const body = batchEvents === 1 ? event : `{"events":[${Array(batchEvents).fill(event).join(',')}]}`;
    // A fresh stream per run; on PostgreSQL it is deleted afterwards, as the schema outlives the run.
    const stream = `bench:ingest-${process.pid}-${Date.now()}`;
    const streamPath = `/v1/streams/${encodeURIComponent(stream)}`;
    const load = await runHttpLoad(
      server.url,
      {
        method: 'POST',
        path: `${streamPath}/events`,
        headers: { 'content-type': 'application/json' },
        body,
        expectStatus: 201,
      },
      durationSec,
    );
    if (store === 'postgres') await deleteSettledStream(`${server.url}${streamPath}`);
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
