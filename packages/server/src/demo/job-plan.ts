import type { EventInput } from '@herald/protocol';

/** The steps a demo job walks through, in order. */
const JOB_STEPS = [
  'Checking out',
  'Installing dependencies',
  'Building',
  'Running tests',
  'Uploading artefacts',
] as const;

const JOB_NAMES = ['build:web', 'build:api', 'test:unit', 'test:e2e', 'lint', 'deploy:staging', 'migrate:db', 'docs'];
const FAILURE_REASONS = [
  'Exit code 1: 3 tests failed',
  'Timed out after 600 s waiting for runner',
  'ECONNRESET while fetching dependencies',
  'Out of memory (exit code 137)',
];

/** Who a job belongs to; becomes the event tags `{batchId, jobId, orgId}`. */
export interface JobIdentity {
  batchId: string;
  jobId: string;
  orgId: string;
}

/** Knobs of one job's plan. */
export interface JobPlanOptions {
  /** Source of randomness in [0, 1). */
  random: () => number;
  /** Chance that one attempt fails. */
  failureRate: number;
  /** Attempts before a failure is final (1 = no retry). */
  maxAttempts: number;
}

/** Picks one element of a non-empty list. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/**
 * Plans every event of one job run, in publish order: `job_started`, a few `job_progress` state
 * patches per step, and either `job_completed` or `job_failed`. A failed attempt that will be
 * retried publishes a non-final `job_failed` and starts again; only the last event is `final`.
 */
export function planJob(identity: JobIdentity, options: JobPlanOptions): EventInput[] {
  const { random } = options;
  const tags = { batchId: identity.batchId, jobId: identity.jobId, orgId: identity.orgId };
  const name = pick(random, JOB_NAMES);
  const events: EventInput[] = [];
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    events.push({
      type: 'job_started',
      data: { attempt },
      state: { name, status: 'running', attempt, progress: 0, step: JOB_STEPS[0], error: null, ...tags },
      tags,
    });
    const failAtStep = random() < options.failureRate ? Math.floor(random() * JOB_STEPS.length) : -1;
    const progressEvents = planProgress(random, failAtStep);
    events.push(...progressEvents.map((state) => ({ type: 'job_progress', state, tags })));
    if (failAtStep < 0) {
      events.push({
        type: 'job_completed',
        data: { attempt },
        state: { status: 'completed', progress: 100, step: null },
        tags,
        final: true,
      });
      return events;
    }
    const error = pick(random, FAILURE_REASONS);
    const willRetry = attempt < options.maxAttempts;
    events.push({
      type: 'job_failed',
      data: { attempt, error, willRetry },
      state: { status: willRetry ? 'retrying' : 'failed', error },
      tags,
      ...(willRetry ? {} : { final: true }),
    });
  }
  return events;
}

/** Progress patches for one attempt: 1–3 per step, increasing, stopping at `failAtStep` when ≥ 0. */
function planProgress(random: () => number, failAtStep: number): { progress: number; step: string }[] {
  const lastStep = failAtStep < 0 ? JOB_STEPS.length - 1 : failAtStep;
  const patches: { progress: number; step: string }[] = [];
  for (let index = 0; index <= lastStep; index++) {
    const step = JOB_STEPS[index] as string;
    const ticks = 1 + Math.floor(random() * 3);
    for (let tick = 1; tick <= ticks; tick++) {
      // Each step owns an equal slice of 0–99 %; 100 % is reserved for job_completed.
      const progress = Math.floor(((index + tick / (ticks + 1)) / JOB_STEPS.length) * 99);
      patches.push({ progress, step });
    }
  }
  return patches;
}
