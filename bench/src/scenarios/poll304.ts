import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, stopServer } from '../fleet.js';
import { type HttpLoadResult, runHttpLoad } from './http-load.js';

/** One 304-polling run: the load's figures and the size of the polled stream's state. */
export interface Poll304Result extends HttpLoadResult {
  stateBytes: number;
}

/**
 * Requests/s on the ETag polling path: `GET /v1/streams/{stream}` answered `304`, for a stream
 * whose state is a string of `stateBytes` characters (what a revalidation may cost grows with it
 * only if the server reads the state to answer).
 */
export async function runPoll304(durationSec: number, stateBytes: number): Promise<Poll304Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess('herald-ws', { store: 'sqlite', dataDir });
  const stream = 'bench:poll';
  try {
    const path = `/v1/streams/${encodeURIComponent(stream)}`;
    const published = await fetch(`${server.url}${path}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'tick', state: { blob: 'x'.repeat(stateBytes) } }),
    });
    if (published.status !== 201) throw new Error(`the publish answered ${published.status}`);
    const snapshot = await fetch(`${server.url}${path}`);
    const etag = snapshot.headers.get('etag');
    if (snapshot.status !== 200 || etag === null) throw new Error(`snapshot answered ${snapshot.status} without ETag`);
    const load = await runHttpLoad(
      server.url,
      { method: 'GET', path, headers: { 'if-none-match': etag }, expectStatus: 304 },
      durationSec,
    );
    return { ...load, stateBytes };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
