import type { HeraldEvent, JsonValue } from '@herald/protocol';
import { describe, expect, it } from 'vitest';
import { jobTimelinesOf } from '../src/job-timelines.js';

function eventOf(seq: number, type: string, jobId?: string): HeraldEvent {
  return {
    stream: 'gh:octo-org.octo-repo:run:42',
    seq,
    id: `e${seq}`,
    type,
    time: '2026-01-01T10:00:00.000Z',
    tags: { repo: 'octo-org/octo-repo', runId: '42', ...(jobId ? { jobId } : {}) },
  };
}

// A workflow run as the GitHub ingest writes it: run events, then each job's under state.jobs.<jobId>.
const WORKFLOW_STATE: JsonValue = {
  name: 'CI',
  status: 'in_progress',
  jobs: {
    '7': { name: 'lint', status: 'completed', conclusion: 'success', steps: [] },
    '8': { name: 'test', status: 'in_progress', steps: [{ name: 'Run tests', status: 'in_progress' }] },
  },
};
const WORKFLOW_EVENTS = [
  eventOf(1, 'workflow_run.requested'),
  eventOf(2, 'workflow_job.queued', '8'),
  eventOf(3, 'workflow_job.queued', '7'),
  eventOf(4, 'workflow_job.in_progress', '8'),
  eventOf(5, 'workflow_job.completed', '7'),
  eventOf(6, 'workflow_run.in_progress'),
];

describe('jobTimelinesOf', () => {
  it('gives each job of a workflow run its own timeline, in the order the jobs first appear', () => {
    const timelines = jobTimelinesOf(WORKFLOW_EVENTS, WORKFLOW_STATE);
    expect(timelines.map(({ jobId, name, status }) => ({ jobId, name, status }))).toEqual([
      { jobId: null, name: 'Run', status: 'running' },
      { jobId: '8', name: 'test', status: 'running' },
      { jobId: '7', name: 'lint', status: 'completed' },
    ]);
    expect(timelines.map((timeline) => timeline.events.map((event) => event.seq))).toEqual([
      [1, 6],
      [2, 4],
      [3, 5],
    ]);
  });

  it('names a job by its id when the state does not know it yet', () => {
    const events = [eventOf(1, 'workflow_job.queued', '9')];
    const [timeline] = jobTimelinesOf(events, { jobs: { '8': { name: 'test' } } });
    expect(timeline).toMatchObject({ jobId: '9', name: 'job 9', status: null });
  });

  it('shows a stream without jobs in its state as one timeline of every event', () => {
    const events = [eventOf(1, 'job_started', 'j1'), eventOf(2, 'job_progress', 'j1')];
    const timelines = jobTimelinesOf(events, { name: 'build:web', status: 'running', step: 'Building' });
    expect(timelines).toEqual([{ jobId: null, name: 'Timeline', status: null, events }]);
  });
});
