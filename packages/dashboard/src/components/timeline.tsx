import type { HeraldEvent } from '@herald/client';
import type { ReactNode } from 'react';
import { formatClock, summarise } from '../format.js';
import { EventType } from './event-type.js';

/** Props of `Timeline`. */
export interface TimelineProps {
  events: readonly HeraldEvent[];
  /** The event whose state is being shown, if any (marked in the list). */
  pickedSeq?: number | null;
  /** Called with an event's seq when it is picked; without it, events cannot be picked. */
  onPick?: (seq: number) => void;
}

/** The events of a stream, newest first, each with its seq, time, type and a summary. */
export function Timeline({ events, pickedSeq = null, onPick }: TimelineProps): ReactNode {
  if (events.length === 0) return <p className="empty">No events yet. This page updates as they arrive.</p>;
  return (
    <ol className="timeline" aria-label="Events" reversed>
      {[...events].reverse().map((event) => (
        <li
          key={event.seq}
          className="timeline-item"
          data-seq={event.seq}
          data-final={event.final ? 'true' : undefined}
          data-picked={event.seq === pickedSeq ? 'true' : undefined}
        >
          {onPick ? (
            <button
              type="button"
              className="timeline-seq timeline-pick mono"
              aria-pressed={event.seq === pickedSeq}
              title={`Show the state right after event #${event.seq}`}
              onClick={() => onPick(event.seq)}
            >
              #{event.seq}
            </button>
          ) : (
            <span className="timeline-seq mono">#{event.seq}</span>
          )}
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
