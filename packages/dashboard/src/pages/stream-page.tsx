import { ConnectionStatus, type StreamView, useNow, useStream } from '@herald/react';
import type { ReactNode } from 'react';
import { ProgressBar } from '../components/progress-bar.js';
import { RunPanels } from '../components/run-panels.js';
import { StatusBadge } from '../components/status-badge.js';
import { WatchingCount } from '../components/watching-count.js';
import { formatDuration, readRunFacts } from '../format.js';
import { hrefOf } from '../router.js';

/** One stream: its facts, the live timeline of its events (one per job) and its state, now or at a picked event. */
export function StreamPage({ stream }: { stream: string }): ReactNode {
  const view = useStream(stream);
  const facts = readRunFacts(view.state, view.final);
  const now = useNow(view.final ? null : 1000);
  return (
    <section className="page">
      <a className="back" href={hrefOf({ page: 'runs', prefix: stream.startsWith('batch:') ? 'batch:' : 'run:' })}>
        ← All {stream.startsWith('batch:') ? 'batches' : 'runs'}
      </a>
      <div className="page-head">
        <div>
          <h1 className="stream-title">
            {facts.name ?? stream} <StatusBadge status={facts.status} />
          </h1>
          <p className="mono muted">
            {stream} <WatchingCount stream={stream} />
          </p>
        </div>
        <ConnectionStatus lastEventAt={view.lastEventAt} className="indicator" />
      </div>

      {view.error && (
        <p className="notice" role="alert">
          {view.error.message}
        </p>
      )}

      <div className="facts">
        <Fact label="Progress">
          <ProgressBar progress={facts.progress} status={facts.status} />
        </Fact>
        <Fact label="Current step">{facts.step ?? '—'}</Fact>
        <Fact label="Duration">{formatDuration(durationMs(view, now))}</Fact>
        <Fact label="Attempt">{facts.attempt ?? '—'}</Fact>
        <Fact label="Batch">
          {facts.batchId ? <a href={hrefOf({ page: 'batch', batchId: facts.batchId })}>{facts.batchId}</a> : '—'}
        </Fact>
        <Fact label="Events">
          <span data-testid="seq">{view.seq}</span>
        </Fact>
      </div>

      {facts.error && <p className="notice notice-failed">{facts.error}</p>}

      <RunPanels stream={stream} view={view} />
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }): ReactNode {
  return (
    <div className="fact">
      <span className="fact-label">{label}</span>
      <span className="fact-value">{children}</span>
    </div>
  );
}

/** From the first event to the final one, or to now while the stream is open. */
function durationMs(view: StreamView, now: number): number {
  const first = view.events[0];
  const last = view.events.at(-1);
  if (!first || !last) return 0;
  return (view.final ? Date.parse(last.time) : now) - Date.parse(first.time);
}
