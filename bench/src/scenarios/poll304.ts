import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, stopServer } from '../fleet.js';
import { type HttpLoadResult, runHttpLoad } from './http-load.js';

/** Requests/s on the ETag polling path: `GET /v1/streams/{stream}` answered `304`. */
export async function runPoll304(durationSec: number): Promise<HttpLoadResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess('herald-ws', { store: 'sqlite', dataDir });
  const stream = 'bench:poll';
  try {
    await server.child.call('burst', { stream, first: 0, count: 1, sizeBytes: 200 });
    const path = `/v1/streams/${encodeURIComponent(stream)}`;
    const snapshot = await fetch(`${server.url}${path}`);
    const etag = snapshot.headers.get('etag');
    if (snapshot.status !== 200 || etag === null) throw new Error(`snapshot answered ${snapshot.status} without ETag`);
    return await runHttpLoad(
      server.url,
      { method: 'GET', path, headers: { 'if-none-match': etag }, expectStatus: 304 },
      durationSec,
    );
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
