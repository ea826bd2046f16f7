import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { field, readRunFacts, text } from './format.js';

/** The events of one job of a stream (or of the whole stream), in seq order. */
export interface JobTimeline {
  /** The job's id (its events' `jobId` tag); null for the run's own events or a single timeline. */
  jobId: string | null;
  name: string;
  /** The job's status in the grid's words, when the state tells it. */
  status: string | null;
  events: HeraldEvent[];
}

/**
 * Splits a stream's events into one timeline per job when its state holds several jobs
 * (`state.jobs.<jobId>`, as the GitHub ingest writes a workflow run), by each event's `jobId`
 * tag; the run's own events come first. A stream without jobs — a demo job run, a batch — is one
 * timeline: its events are that job's already.
 */
export function jobTimelinesOf(events: readonly HeraldEvent[], state: JsonValue): JobTimeline[] {
  const jobs = field(state, 'jobs');
  const hasJobs = jobs !== null && typeof jobs === 'object' && !Array.isArray(jobs);
  if (!hasJobs) return [{ jobId: null, name: 'Timeline', status: null, events: [...events] }];

  const timelines = new Map<string | null, JobTimeline>();
  for (const event of events) {
    const jobId = event.tags?.jobId ?? null;
    let timeline = timelines.get(jobId);
    if (!timeline) {
      timeline = jobId === null ? runTimeline(state) : jobTimeline(jobId, field(jobs, jobId));
      timelines.set(jobId, timeline);
    }
    timeline.events.push(event);
  }
  const runOwn = timelines.get(null);
  timelines.delete(null);
  return runOwn ? [runOwn, ...timelines.values()] : [...timelines.values()];
}

function runTimeline(state: JsonValue): JobTimeline {
  return { jobId: null, name: 'Run', status: readRunFacts(state, false).status, events: [] };
}

function jobTimeline(jobId: string, job: JsonValue | undefined): JobTimeline {
  const name = text(field(job, 'name')) ?? `job ${jobId}`;
  const status = job === undefined ? null : readRunFacts(job, false).status;
  return { jobId, name, status, events: [] };
}
