import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectReports, openClients, startServerProcess, stopFleet, stopServer } from '../fleet.js';

/** Time for one subscriber to resume `events` behind and be caught up, on one transport. */
export interface CatchUpResult {
  target: string;
  events: number;
  /** Median over the runs, ms from subscribe until live with every event received in order. */
  medianMs: number;
  isComplete: boolean;
}

const CATCH_UP_TIMEOUT_MS = 30_000;

/** Preloads `events` into a durable SQLite stream, then times `runs` fresh subscribers from seq 0. */
export async function runCatchUp(target: string, events: number, runs: number): Promise<CatchUpResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess(target, { store: 'sqlite', dataDir });
  const stream = 'bench:catchup';
  try {
    await server.child.call('burst', { stream, first: 0, count: events, sizeBytes: 200 });
    const timesMs: number[] = [];
    let isComplete = true;
    for (let run = 0; run < runs; run++) {
      const fleet = await openClients(server, target, stream, 1, 0, { first: 0, count: events });
      try {
        const report = await collectReports(fleet, CATCH_UP_TIMEOUT_MS);
        isComplete &&= report.complete === 1 && report.orderErrors === 0;
        timesMs.push(fleet.openMs);
      } finally {
        await stopFleet(fleet);
      }
    }
    timesMs.sort((a, b) => a - b);
    return { target, events, medianMs: timesMs[Math.floor(timesMs.length / 2)] ?? Number.NaN, isComplete };
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
