import { ConnectionStatus, type StreamView, useNow, useStream } from '@herald/react';
import type { ReactNode } from 'react';
import { JsonView } from '../components/json-view.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { Timeline } from '../components/timeline.js';
import { WatchingCount } from '../components/watching-count.js';
import { formatDuration, readRunFacts } from '../format.js';
import { hrefOf } from '../router.js';

/** One stream: its facts, its state document and the live timeline of its events. */
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
          {facts.batchId ? (
            <a href={hrefOf({ page: 'stream', stream: `batch:${facts.batchId}` })}>{facts.batchId}</a>
          ) : (
            '—'
          )}
        </Fact>
        <Fact label="Events">
          <span data-testid="seq">{view.seq}</span>
        </Fact>
      </div>

      {facts.error && <p className="notice notice-failed">{facts.error}</p>}

      <div className="split">
        <div className="panel">
          <div className="panel-head">
            <h2>Timeline</h2>
            <a
              className="muted"
              href={hrefOf({ page: 'history', params: new URLSearchParams({ stream, order: 'desc' }) })}
            >
              Query history →
            </a>
          </div>
          <Timeline events={view.events} />
        </div>
        <div className="panel">
          <div className="panel-head">
            <h2>State</h2>
            {view.final && <span className="muted">final</span>}
          </div>
          <JsonView value={view.state} />
        </div>
      </div>
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
