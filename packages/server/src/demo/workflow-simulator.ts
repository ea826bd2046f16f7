import { randomUUID } from 'node:crypto';
import type { EventInput } from '@herald/protocol';
import { BatchRun, type PlannedEvent } from './batch-run.js';

/** Publishes one event in-process; the simulator only awaits it. */
export type PublishFunction = (stream: string, event: EventInput) => Promise<unknown>;

/** Options of `createWorkflowSimulator`. */
export interface WorkflowSimulatorOptions {
  publish: PublishFunction;
  /** Events published per second, across all streams (default 4). */
  eventsPerSecond?: number;
  /** Batches in flight at once (default 2). */
  concurrentBatches?: number;
  /** Jobs of one batch running at once (default 3). */
  concurrentJobsPerBatch?: number;
  /** Smallest and largest number of jobs in a batch (default [3, 6]). */
  jobsPerBatch?: readonly [min: number, max: number];
  /** Chance that one job attempt fails (default 0.2). */
  failureRate?: number;
  /** Attempts per job before a failure is final (default 2: one retry). */
  maxAttempts?: number;
  /** Source of randomness in [0, 1) (default Math.random). */
  random?: () => number;
  /** Makes batch and job ids (default: 8 hex characters of a random UUID). */
  createId?: () => string;
  /** Told about every failed publish; the simulator skips that event and goes on (default: ignore). */
  onError?: (error: unknown, planned: PlannedEvent) => void;
}

/** Why the runs a stopped simulator leaves open end as failed. */
const STOPPED_REASON = 'the demo stopped (server shut down)';

/** The demo workflow simulator: realistic batches of jobs, published at a steady pace. */
export interface WorkflowSimulator {
  /** Starts publishing; calling it while running does nothing. */
  start(): void;
  /**
   * Stops publishing, and resolves once the publish in flight (if any) has settled and every run
   * and batch it left open has been closed with a final `job_failed` / `batch_completed`.
   */
  stop(): Promise<void>;
}

/**
 * Creates the demo workflow simulator behind `npm start` (DESIGN "Server shapes"): batches
 * (`batch:<id>`) of jobs (`run:<id>`) publishing `job_started`, `job_progress` state patches,
 * `job_failed` with retries and a final `job_completed` / `job_failed`, tagged
 * `{batchId, jobId, orgId}`. Publishes one event at a time, so per-stream order is publish order.
 */
export function createWorkflowSimulator(options: WorkflowSimulatorOptions): WorkflowSimulator {
  const intervalMs = 1000 / (options.eventsPerSecond ?? 4);
  const concurrentBatches = options.concurrentBatches ?? 2;
  const [minJobs, maxJobs] = options.jobsPerBatch ?? [3, 6];
  const random = options.random ?? Math.random;
  const createId = options.createId ?? (() => randomUUID().slice(0, 8));
  const batches: BatchRun[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let isRunning = false;

  function nextEvent(): PlannedEvent {
    for (;;) {
      if (batches.length < concurrentBatches) {
        batches.push(
          new BatchRun({
            jobCount: minJobs + Math.floor(random() * (maxJobs - minJobs + 1)),
            concurrentJobs: options.concurrentJobsPerBatch ?? 3,
            failureRate: options.failureRate ?? 0.2,
            maxAttempts: options.maxAttempts ?? 2,
            random,
            createId,
          }),
        );
      }
      const batch = batches[Math.floor(random() * batches.length)] as BatchRun;
      const planned = batch.nextEvent();
      if (batch.isDone) batches.splice(batches.indexOf(batch), 1);
      if (planned) return planned;
    }
  }

  async function publishPlanned(planned: PlannedEvent): Promise<void> {
    try {
      await options.publish(planned.stream, planned.event);
    } catch (error) {
      options.onError?.(error, planned);
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      inFlight = publishPlanned(nextEvent()).finally(() => {
        inFlight = undefined;
        if (isRunning) schedule();
      });
    }, intervalMs);
  }

  return {
    start() {
      if (isRunning) return;
      isRunning = true;
      // A publish still settling from before a stop() schedules the next one itself.
      if (!inFlight) schedule();
    },
    async stop() {
      isRunning = false;
      clearTimeout(timer);
      await inFlight;
      for (const planned of batches.splice(0).flatMap((batch) => batch.stopEvents(STOPPED_REASON))) {
        await publishPlanned(planned);
      }
    },
  };
}
