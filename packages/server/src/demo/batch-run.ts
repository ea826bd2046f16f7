import type { EventInput } from '@herald/protocol';
import { type JobPlanOptions, pick, planJob } from './job-plan.js';

const BATCH_NAMES = ['nightly build', 'release candidate', 'pull request checks', 'hotfix pipeline', 'data backfill'];
const ORG_IDS = ['acme', 'globex', 'initech'];

/** One event to publish, addressed to its stream. */
export interface PlannedEvent {
  stream: string;
  event: EventInput;
}

/** How one batch is shaped and how its ids are made. */
export interface BatchRunOptions extends JobPlanOptions {
  /** Jobs in the batch. */
  jobCount: number;
  /** Jobs of the batch running at the same time. */
  concurrentJobs: number;
  /** Makes a short unique id for the batch and each job. */
  createId: () => string;
}

interface RunningJob {
  stream: string;
  events: EventInput[];
  next: number;
}

/**
 * One demo batch (`batch:<id>`) and its jobs (`run:<id>`), advanced one event at a time. Jobs run
 * a few at a time and interleave; the batch stream tracks how many finished and closes with a
 * final `batch_completed` after its last job's final event.
 */
export class BatchRun {
  readonly #options: BatchRunOptions;
  readonly #batchId: string;
  readonly #orgId: string;
  readonly #running: RunningJob[] = [];
  readonly #outbox: PlannedEvent[] = [];
  #jobsNotStarted: number;
  #completed = 0;
  #failed = 0;

  constructor(options: BatchRunOptions) {
    this.#options = options;
    this.#batchId = options.createId();
    this.#orgId = pick(options.random, ORG_IDS);
    this.#jobsNotStarted = options.jobCount;
    this.#outbox.push(
      this.#batchEvent({
        type: 'batch_started',
        data: { total: options.jobCount },
        state: {
          name: pick(options.random, BATCH_NAMES),
          status: 'running',
          orgId: this.#orgId,
          total: options.jobCount,
          completed: 0,
          failed: 0,
        },
      }),
    );
  }

  /** Whether every event of the batch has been handed out. */
  get isDone(): boolean {
    return this.#outbox.length === 0 && this.#running.length === 0 && this.#jobsNotStarted === 0;
  }

  /** The next event to publish, or `undefined` once the batch is done. */
  nextEvent(): PlannedEvent | undefined {
    const queued = this.#outbox.shift();
    if (queued) return queued;
    if (this.#running.length < this.#options.concurrentJobs && this.#jobsNotStarted > 0) this.#startJob();
    const job = this.#running[Math.floor(this.#options.random() * this.#running.length)];
    if (!job) return undefined;
    const event = job.events[job.next] as EventInput;
    job.next++;
    if (event.final) this.#finishJob(job, event);
    return { stream: job.stream, event: { ...event, id: `${job.stream}#${job.next}` } };
  }

  /**
   * Final events for what the batch opened and has not closed (jobs mid-run, the batch itself), as
   * failed with `reason`: the demo is stopping, and nothing would ever close them. A restarted
   * server would otherwise list them as running for good.
   */
  stopEvents(reason: string): PlannedEvent[] {
    const events: PlannedEvent[] = [];
    for (const job of this.#running) {
      if (job.next === 0) continue;
      const { tags } = job.events[0] as EventInput;
      const state = { status: 'failed', error: reason };
      const event = { type: 'job_failed', data: { error: reason, willRetry: false }, state, final: true };
      events.push({ stream: job.stream, event: { ...event, ...(tags ? { tags } : {}), id: `${job.stream}#stopped` } });
    }
    const hasStarted = !this.#outbox.some((planned) => planned.event.type === 'batch_started');
    if (hasStarted && !this.isDone) {
      const { stream, event } = this.#batchEvent({
        type: 'batch_completed',
        data: { completed: this.#completed, failed: this.#failed, error: reason },
        state: { status: 'failed', error: reason },
        final: true,
      });
      events.push({ stream, event: { ...event, id: `${stream}#stopped` } });
    }
    return events;
  }

  #startJob(): void {
    this.#jobsNotStarted--;
    const identity = { batchId: this.#batchId, jobId: this.#options.createId(), orgId: this.#orgId };
    this.#running.push({ stream: `run:${identity.jobId}`, events: planJob(identity, this.#options), next: 0 });
  }

  #finishJob(job: RunningJob, finalEvent: EventInput): void {
    this.#running.splice(this.#running.indexOf(job), 1);
    if (finalEvent.type === 'job_completed') this.#completed++;
    else this.#failed++;
    this.#outbox.push(
      this.#batchEvent({ type: 'batch_progress', state: { completed: this.#completed, failed: this.#failed } }),
    );
    const isLastJob = this.#running.length === 0 && this.#jobsNotStarted === 0;
    if (!isLastJob) return;
    this.#outbox.push(
      this.#batchEvent({
        type: 'batch_completed',
        data: { completed: this.#completed, failed: this.#failed },
        state: { status: this.#failed > 0 ? 'failed' : 'completed' },
        final: true,
      }),
    );
  }

  #batchEvent(event: EventInput): PlannedEvent {
    const stream = `batch:${this.#batchId}`;
    const tags = { batchId: this.#batchId, orgId: this.#orgId };
    // Counted from the events already emitted so every batch event gets a stable idempotency key.
    const index = this.#completed + this.#failed + (event.type === 'batch_completed' ? 2 : 1);
    return { stream, event: { ...event, tags, id: `${stream}#${index}` } };
  }
}
