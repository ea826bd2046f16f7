import type { ReactNode } from 'react';

/** A thin progress bar with its percentage; a dash when there is no progress to show. */
export function ProgressBar({ progress, status }: { progress: number | null; status: string }): ReactNode {
  if (progress === null) return <span className="muted">—</span>;
  return (
    <span className="progress" data-tone={status}>
      <span
        className="progress-track"
        role="progressbar"
        aria-valuenow={progress}
        aria-valuemin={0}
        aria-valuemax={100}
      >
        <span className="progress-fill" style={{ width: `${progress}%` }} />
      </span>
      <span className="progress-label">{progress}%</span>
    </span>
  );
}
