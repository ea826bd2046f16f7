import { ConnectionStatus, formatAge, useFeed, useNow } from '@herald/react';
import { type ReactNode, useMemo } from 'react';
import { type BatchJob, batchOverviewOf } from '../batch-overview.js';
import { ProgressBar } from '../components/progress-bar.js';
import { RunCells, RunGridHead } from '../components/run-cells.js';
import { StatusBadge } from '../components/status-badge.js';
import { batchStreamOf, hrefOf } from '../router.js';

/**
 * One batch and its jobs, live (seed 002's batch page): status, progress and current step of each
 * job, from ONE feed of every event tagged with the batch's id, read from the batch's first event
 * on — no polling, no list reads.
 */
export function BatchPage({ batchId }: { batchId: string }): ReactNode {
  const filter = useMemo(() => ({ tags: { batchId } }), [batchId]);
  const feed = useFeed(filter);
  const overview = useMemo(() => batchOverviewOf(batchId, feed.streams), [batchId, feed.streams]);
  const now = useNow(1000);
  const lastEvent = feed.events.at(-1);
  const jobsDone = overview.jobs.filter((job) => job.final).length;
  const { facts } = overview;
  return (
    <section className="page" data-batch={batchId}>
      <a className="back" href={hrefOf({ page: 'runs', prefix: 'batch:' })}>
        ← All batches
      </a>
      <div className="page-head">
        <div>
          <h1 className="stream-title">
            {facts.name ?? `Batch ${batchId}`} <StatusBadge status={facts.status} />
          </h1>
          <p className="mono muted">
            <a href={hrefOf({ page: 'stream', stream: batchStreamOf(batchId) })}>{batchStreamOf(batchId)}</a> · jobs
            tagged <code>batchId={batchId}</code>
          </p>
        </div>
        <ConnectionStatus
          status={feed.status}
          lastEventAt={lastEvent ? Date.parse(lastEvent.time) : null}
          className="indicator"
        />
      </div>

      {feed.error && (
        <p className="notice" role="alert">
          {feed.error.message}
        </p>
      )}
      {overview.isPartial && (
        <p className="notice" role="status">
          Some of this batch’s early events are no longer held (history trimmed by retention): a job’s state here is
          built from the events still held.
        </p>
      )}

      <div className="facts">
        <div className="fact">
          <span className="fact-label">Progress</span>
          <span className="fact-value">
            <ProgressBar progress={facts.progress} status={facts.status} />
          </span>
        </div>
        <div className="fact">
          <span className="fact-label">Jobs</span>
          <span className="fact-value" data-testid="jobs-done">
            {jobsDone} of {overview.jobs.length} finished
          </span>
        </div>
        <div className="fact">
          <span className="fact-label">Events</span>
          <span className="fact-value">{feed.events.length}</span>
        </div>
      </div>

      <div className="grid batch-jobs">
        <RunGridHead name="Job" extra={['Attempt', 'Updated']} />
        {overview.jobs.map((job) => (
          <JobRow key={job.stream} job={job} now={now} />
        ))}
        {feed.status !== 'connecting' && overview.jobs.length === 0 && (
          <p className="empty">No jobs in this batch yet. They appear here as they start.</p>
        )}
      </div>
    </section>
  );
}

function JobRow({ job, now }: { job: BatchJob; now: number }): ReactNode {
  const { facts } = job;
  return (
    <a
      className="grid-row"
      href={hrefOf({ page: 'stream', stream: job.stream })}
      data-stream={job.stream}
      data-status={facts.status}
      data-final={job.final ? 'true' : undefined}
    >
      <RunCells stream={job.stream} facts={facts} />
      <span className="cell-duration mono">{facts.attempt ?? '—'}</span>
      <span className="cell-updated muted">{formatAge(Date.parse(job.lastEventTime), now)}</span>
    </a>
  );
}
