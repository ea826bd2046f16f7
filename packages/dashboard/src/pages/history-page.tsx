import { useHistory } from '@herald/react';
import { type FormEvent, type ReactNode, useState } from 'react';
import { EventType } from '../components/event-type.js';
import { formatClock, summarise } from '../format.js';
import { filtersFromParams, formFromParams, type HistoryForm, paramsFromForm } from '../history-filters.js';
import { hrefOf } from '../router.js';

/** The history query (`GET /v1/events`) with its filters in the URL, a page at a time. */
export function HistoryPage({ params }: { params: URLSearchParams }): ReactNode {
  const history = useHistory(filtersFromParams(params));
  const [form, setForm] = useState<HistoryForm>(() => formFromParams(params));
  const edit = (field: keyof HistoryForm) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  function submit(event: FormEvent): void {
    event.preventDefault();
    window.location.hash = hrefOf({ page: 'history', params: paramsFromForm(form) });
  }

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <h1>History</h1>
          <p className="muted">Every stored event, across streams, filtered and paged.</p>
        </div>
      </div>

      <form className="filters" onSubmit={submit} aria-label="History filters">
        <label>
          Stream
          <input value={form.stream} onChange={edit('stream')} placeholder="run:8f2c" />
        </label>
        <label>
          Prefix
          <input value={form.prefix} onChange={edit('prefix')} placeholder="run:" />
        </label>
        <label>
          Types
          <input value={form.types} onChange={edit('types')} placeholder="job_failed,job_completed" />
        </label>
        <label>
          Tags
          <input value={form.tags} onChange={edit('tags')} placeholder="batchId=b1, orgId=acme" />
        </label>
        <label>
          Since
          <input type="datetime-local" value={form.since} onChange={edit('since')} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={form.until} onChange={edit('until')} />
        </label>
        <label>
          Order
          <select value={form.order} onChange={edit('order')}>
            <option value="desc">Newest first</option>
            <option value="asc">Oldest first</option>
          </select>
        </label>
        <div className="filters-actions">
          <button type="submit" className="button-primary">
            Apply
          </button>
          <a className="button" href={hrefOf({ page: 'history', params: new URLSearchParams() })}>
            Clear
          </a>
        </div>
      </form>

      {history.error && (
        <p className="notice" role="alert">
          {history.error.code}: {history.error.message}
        </p>
      )}

      <div className="panel">
        <table className="history">
          <thead>
            <tr>
              <th>Time</th>
              <th>Stream</th>
              <th>Seq</th>
              <th>Type</th>
              <th>Tags</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {history.events.map((event) => (
              <tr key={`${event.stream}#${event.seq}`} data-stream={event.stream} data-seq={event.seq}>
                <td className="mono muted" title={event.time}>
                  {new Date(event.time).toLocaleDateString()} {formatClock(event.time)}
                </td>
                <td>
                  <a className="mono" href={hrefOf({ page: 'stream', stream: event.stream })}>
                    {event.stream}
                  </a>
                </td>
                <td className="mono">{event.seq}</td>
                <td>
                  <EventType type={event.type} />
                </td>
                <td className="tags">
                  {Object.entries(event.tags ?? {}).map(([key, value]) => (
                    <code key={key} className="tag">
                      {key}={value}
                    </code>
                  ))}
                </td>
                <td className="summary">{summarise(event.state ?? event.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {history.status === 'ready' && history.events.length === 0 && (
          <p className="empty">No events match these filters.</p>
        )}
        <div className="pager">
          <span className="muted">
            {history.events.length} event{history.events.length === 1 ? '' : 's'}
            {history.status === 'loading' ? ' · loading…' : ''}
          </span>
          {history.hasMore && (
            <button type="button" className="button" onClick={history.loadMore} disabled={history.status === 'loading'}>
              Load more
            </button>
          )}
        </div>
      </div>
    </section>
  );
}
