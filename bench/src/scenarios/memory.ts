import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openClients, startServerProcess, stopFleet, stopServer } from '../fleet.js';

/** Server memory per idle connection of one target. */
export interface MemoryResult {
  target: string;
  connections: number;
  rssKibPerConnection: number;
  heapKibPerConnection: number;
}

interface MemorySample {
  rssBytes: number;
  heapUsedBytes: number;
}

// Lets lazily allocated per-connection state (timers, buffers) settle before the second sample.
const SETTLE_MS = 1500;

/**
 * Opens `connections` idle subscribers and measures the server's RSS and heap growth per
 * connection, each sample taken `settleMs` (default 1500) after the connections changed.
 */
export async function runMemory(target: string, connections: number, settleMs = SETTLE_MS): Promise<MemoryResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const server = await startServerProcess(target, { store: 'memory', dataDir });
  try {
    // Warm the server's code paths with one connection so the baseline includes compiled code.
    const warm = await openClients(server, target, 'bench:idle', 1);
    await stopFleet(warm);
    await sleep(settleMs);
    const before = await server.child.call<MemorySample>('memory');
    const fleet = await openClients(server, target, 'bench:idle', connections);
    try {
      await sleep(settleMs);
      const after = await server.child.call<MemorySample>('memory');
      return {
        target,
        connections,
        rssKibPerConnection: (after.rssBytes - before.rssBytes) / connections / 1024,
        heapKibPerConnection: (after.heapUsedBytes - before.heapUsedBytes) / connections / 1024,
      };
    } finally {
      await stopFleet(fleet);
    }
  } finally {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
