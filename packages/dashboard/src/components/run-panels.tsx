import type { StreamView } from '@herald/react';
import { type ReactNode, useMemo, useState } from 'react';
import { jobTimelinesOf } from '../job-timelines.js';
import { hrefOf } from '../router.js';
import { StatePanel } from './state-panel.js';
import { StatusBadge } from './status-badge.js';
import { Timeline } from './timeline.js';

/**
 * The run page's timelines — one per job when the stream's state holds jobs — beside its state.
 * Picking an event in a timeline shows the state as it was right after it (replay).
 */
export function RunPanels({ stream, view }: { stream: string; view: StreamView }): ReactNode {
  const [pickedSeq, setPickedSeq] = useState<number | null>(null);
  const timelines = useMemo(() => jobTimelinesOf(view.events, view.state), [view.events, view.state]);
  const historyHref = hrefOf({ page: 'history', params: new URLSearchParams({ stream, order: 'desc' }) });
  return (
    <div className="split">
      <div className="timelines">
        {timelines.map((timeline, index) => (
          <section
            key={timeline.jobId ?? ''}
            className="panel"
            data-job={timeline.jobId ?? undefined}
            aria-label={`${timeline.name} events`}
          >
            <div className="panel-head">
              <h2>
                {timeline.name} {timeline.status && <StatusBadge status={timeline.status} />}
              </h2>
              {index === 0 && (
                <a className="muted" href={historyHref}>
                  Query history →
                </a>
              )}
            </div>
            <Timeline events={timeline.events} pickedSeq={pickedSeq} onPick={setPickedSeq} />
          </section>
        ))}
      </div>
      <StatePanel
        events={view.events}
        state={view.state}
        isFinal={view.final}
        pickedSeq={pickedSeq}
        onBackToLive={() => setPickedSeq(null)}
      />
    </div>
  );
}
