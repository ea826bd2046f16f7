import type { HeraldEvent, JsonValue } from '@herald/client';
import { type ReactNode, useMemo } from 'react';
import { type ReplayResult, replayStateAt } from '../replay.js';
import { JsonView } from './json-view.js';

/** Props of `StatePanel`. */
export interface StatePanelProps {
  /** The stream's events held by the page, in seq order. */
  events: readonly HeraldEvent[];
  /** The stream's current state. */
  state: JsonValue;
  isFinal: boolean;
  /** The event picked in the timeline: the panel shows the state right after it. Null: the current state. */
  pickedSeq: number | null;
  /** Leaves the replay for the current state. */
  onBackToLive: () => void;
}

/** The stream's state document: the current one, or (replay) the one right after a picked event. */
export function StatePanel({ events, state, isFinal, pickedSeq, onBackToLive }: StatePanelProps): ReactNode {
  const replay = useMemo(() => (pickedSeq === null ? null : replayStateAt(events, pickedSeq)), [events, pickedSeq]);
  return (
    <div className="panel" data-testid="state-panel">
      <div className="panel-head">
        <h2>{replay ? `State at #${replay.seq}` : 'State'}</h2>
        {replay ? (
          <button type="button" className="button" onClick={onBackToLive}>
            Back to current state
          </button>
        ) : (
          isFinal && <span className="muted">final</span>
        )}
      </div>
      {replay ? <ReplayView replay={replay} /> : <JsonView value={state} />}
    </div>
  );
}

function ReplayView({ replay }: { replay: ReplayResult }): ReactNode {
  if (replay.kind === 'state') {
    return (
      <div className="replay" data-seq={replay.seq}>
        <p className="replay-note muted">
          As it was right after event #{replay.seq}, rebuilt from events #1–#{replay.seq}.
        </p>
        <JsonView value={replay.state} />
      </div>
    );
  }
  return (
    <p className="notice replay-unavailable" role="status" data-seq={replay.seq}>
      {unavailableReason(replay)}
    </p>
  );
}

function unavailableReason(replay: Extract<ReplayResult, { kind: 'unavailable' }>): string {
  const cannot = `so the state at #${replay.seq} cannot be rebuilt from its events.`;
  const isTrimmed = replay.firstSeq === null || replay.missingSeq < replay.firstSeq;
  if (!isTrimmed) return `Event #${replay.missingSeq} is not held by this page, ${cannot}`;
  const lastGone = replay.firstSeq === null ? replay.seq : replay.firstSeq - 1;
  const gone = lastGone === 1 ? 'Event #1 is' : `Events #1–#${lastGone} are`;
  return `${gone} no longer held (history trimmed by retention), ${cannot}`;
}
