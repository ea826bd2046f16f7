import type { HeraldEvent } from '@herald/client';
import type { ReactNode } from 'react';
import { formatClock, summarise } from '../format.js';
import { EventType } from './event-type.js';

/** The events of a stream, newest first, each with its seq, time, type and a summary. */
export function Timeline({ events }: { events: readonly HeraldEvent[] }): ReactNode {
  if (events.length === 0) return <p className="empty">No events yet. This page updates as they arrive.</p>;
  return (
    <ol className="timeline" aria-label="Events" reversed>
      {[...events].reverse().map((event) => (
        <li
          key={event.seq}
          className="timeline-item"
          data-seq={event.seq}
          data-final={event.final ? 'true' : undefined}
        >
          <span className="timeline-seq mono">#{event.seq}</span>
          <div className="timeline-body">
            <div className="timeline-line">
              <EventType type={event.type} />
              {event.final && <span className="final-tag">final</span>}
              <time className="muted mono" dateTime={event.time}>
                {formatClock(event.time)}
              </time>
            </div>
            {(event.state !== undefined || event.data !== undefined) && (
              <p className="timeline-summary">{summarise(event.state ?? event.data)}</p>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
