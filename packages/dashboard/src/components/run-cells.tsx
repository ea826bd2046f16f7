import type { ReactNode } from 'react';
import type { RunFacts } from '../format.js';
import { ProgressBar } from './progress-bar.js';
import { StatusBadge } from './status-badge.js';

/** The header of a grid of runs: the four columns of `RunCells`, then the grid's own two. */
export function RunGridHead({ name, extra }: { name: string; extra: readonly [string, string] }): ReactNode {
  return (
    <div className="grid-row grid-head" aria-hidden="true">
      <span>{name}</span>
      <span>Status</span>
      <span>Progress</span>
      <span>Current step</span>
      <span>{extra[0]}</span>
      <span>{extra[1]}</span>
    </div>
  );
}

/** The first four cells of a run's grid row: name (and stream), status, progress, current step (or the failure). */
export function RunCells({ stream, facts }: { stream: string; facts: RunFacts }): ReactNode {
  const hasTrouble = facts.status === 'failed' || facts.status === 'retrying';
  return (
    <>
      <span className="cell-name">
        <span className="name">{facts.name ?? stream}</span>
        {facts.name && <span className="mono muted">{stream}</span>}
      </span>
      <span>
        <StatusBadge status={facts.status} />
      </span>
      <span className="cell-progress">
        <ProgressBar progress={facts.progress} status={facts.status} />
      </span>
      <span className="cell-step" title={facts.error ?? facts.step ?? undefined}>
        {hasTrouble ? (facts.error ?? facts.step) : facts.step}
      </span>
    </>
  );
}
