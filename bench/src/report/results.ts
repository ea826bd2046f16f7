import type { CatchUpResult } from '../scenarios/catch-up.js';
import type { FanoutResult } from '../scenarios/fanout.js';
import type { HttpPublishResult } from '../scenarios/http-publish.js';
import type { IngestResult } from '../scenarios/ingest.js';
import type { ManyStreamsResult } from '../scenarios/many-streams.js';
import type { MemoryResult } from '../scenarios/memory.js';
import type { Poll304Result } from '../scenarios/poll304.js';
import type { LatencyRun } from './latency-rounds.js';

/** One measurement: its label, and either its result or why it could not be taken. */
export interface Attempt<R> {
  label: string;
  result?: R;
  error?: string;
}

/** Everything one harness run measured, plus where and how. */
export interface BenchResults {
  mode: 'quick' | 'full';
  startedAt: string;
  command: string;
  /** `loadAverage`: the 1-minute load average when the run started (other work skews the numbers). */
  machine: { nproc: number; cpuModel: string; node: string; loadAverage: number };
  manyStreams: Attempt<ManyStreamsResult>[];
  fanout: Attempt<FanoutResult>[];
  /** The fan-out with one event per publish call (Herald on SQLite), beside the batched one. */
  fanoutSingle: Attempt<FanoutResult>[];
  httpPublish: Attempt<HttpPublishResult>[];
  /** Every latency target at every rate, `rounds` times over (see latency-rounds.ts). */
  latency: Attempt<LatencyRun>[];
  memory: Attempt<MemoryResult>[];
  ingest: Attempt<IngestResult>[];
  catchUp: Attempt<CatchUpResult>[];
  poll304: Attempt<Poll304Result>[];
}

/** Runs one measurement, turning a failure into an `error` so the rest of the run goes on. */
export async function attempt<R>(label: string, measure: () => Promise<R>): Promise<Attempt<R>> {
  const startedAtMs = Date.now();
  try {
    const result = await measure();
    process.stderr.write(`bench: ${label} (${((Date.now() - startedAtMs) / 1000).toFixed(1)} s)\n`);
    return { label, result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${label} failed: ${message}\n`);
    return { label, error: message };
  }
}

/** The results that were measured (failed attempts left out). */
export function measured<R>(attempts: readonly Attempt<R>[]): R[] {
  return attempts.flatMap((a) => (a.result === undefined ? [] : [a.result]));
}
