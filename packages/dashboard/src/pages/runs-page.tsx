import {
  ConnectionStatus,
  formatAge,
  type StreamListView,
  type StreamSnapshot,
  useNow,
  useStreams,
} from '@herald/react';
import { type ReactNode, useState } from 'react';
import { RunCells, RunGridHead } from '../components/run-cells.js';
import { formatDuration, readRunFacts } from '../format.js';
import { GRID_PREFIXES, hrefOf, routeOfStream } from '../router.js';

// Enough rows for a screenful of recent runs; older ones stay reachable through History.
const MAX_ROWS = 200;
const STATUS_FILTERS = ['all', 'running', 'retrying', 'completed', 'failed'] as const;
const PREFIX_LABELS: Record<(typeof GRID_PREFIXES)[number], string> = {
  'run:': 'Runs',
  'batch:': 'Batches',
  'gh:': 'GitHub',
};

/** What the list's health looks like on the connection indicator. */
function listConnection(list: StreamListView): 'connecting' | 'live' | 'polling' | 'reconnecting' | 'offline' {
  if (list.error && list.status !== 'offline') return 'reconnecting';
  return list.status === 'loading' ? 'connecting' : list.status;
}

/** The live grid of streams under a prefix (seed 002's live execution grid). */
export function RunsPage({ prefix }: { prefix: string }): ReactNode {
  const list = useStreams(prefix);
  const now = useNow(1000);
  const [filter, setFilter] = useState<(typeof STATUS_FILTERS)[number]>('all');
  const rows = list.streams.map((snapshot) => ({ snapshot, facts: readRunFacts(snapshot.state, snapshot.final) }));
  const counts = new Map<string, number>();
  for (const { facts } of rows) counts.set(facts.status, (counts.get(facts.status) ?? 0) + 1);
  const shown = rows.filter((row) => filter === 'all' || row.facts.status === filter).slice(0, MAX_ROWS);
  const lastUpdate = Math.max(0, ...list.streams.map((snapshot) => Date.parse(snapshot.updatedAt ?? '') || 0));

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>{PREFIX_LABELS[prefix as keyof typeof PREFIX_LABELS] ?? prefix}</h1>
          <p className="muted">
            Streams under <code>{prefix}</code>, newest first
          </p>
        </div>
        <ConnectionStatus status={listConnection(list)} lastEventAt={lastUpdate || null} className="indicator" />
      </div>

      <div className="toolbar">
        <nav className="tabs" aria-label="Stream kind">
          {GRID_PREFIXES.map((option) => (
            <a
              key={option}
              aria-current={option === prefix ? 'page' : undefined}
              href={hrefOf({ page: 'runs', prefix: option })}
            >
              {PREFIX_LABELS[option]}
            </a>
          ))}
        </nav>
        <fieldset className="chips">
          <legend className="visually-hidden">Filter by status</legend>
          {STATUS_FILTERS.map((status) => (
            <button
              key={status}
              type="button"
              className="chip"
              data-tone={status}
              aria-pressed={filter === status}
              onClick={() => setFilter(status)}
            >
              {status} <span className="chip-count">{status === 'all' ? rows.length : (counts.get(status) ?? 0)}</span>
            </button>
          ))}
        </fieldset>
      </div>

      {list.error && (
        <p className="notice" role="alert">
          Could not refresh the list: {list.error.message}. Retrying…
        </p>
      )}

      <div className="grid">
        <RunGridHead name="Run" extra={['Duration', 'Updated']} />
        {shown.map(({ snapshot, facts }) => (
          <GridRow key={snapshot.stream} snapshot={snapshot} facts={facts} now={now} />
        ))}
        {list.status !== 'loading' && shown.length === 0 && (
          <p className="empty">
            No {filter === 'all' ? '' : `${filter} `}streams under <code>{prefix}</code> yet.
          </p>
        )}
      </div>
    </section>
  );
}

function GridRow(props: { snapshot: StreamSnapshot; facts: ReturnType<typeof readRunFacts>; now: number }): ReactNode {
  const { snapshot, facts, now } = props;
  const createdAt = Date.parse(snapshot.createdAt ?? '') || now;
  const updatedAt = Date.parse(snapshot.updatedAt ?? '') || now;
  const durationMs = (snapshot.final ? updatedAt : now) - createdAt;
  return (
    <a
      className="grid-row"
      href={hrefOf(routeOfStream(snapshot.stream))}
      data-stream={snapshot.stream}
      data-status={facts.status}
    >
      <RunCells stream={snapshot.stream} facts={facts} />
      <span className="cell-duration mono">{formatDuration(durationMs)}</span>
      <span className="cell-updated muted">{formatAge(updatedAt, now)}</span>
    </a>
  );
}
