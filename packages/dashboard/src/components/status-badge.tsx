import type { ReactNode } from 'react';

/** A run status as a coloured pill: running, retrying, completed, failed, or anything else. */
export function StatusBadge({ status }: { status: string }): ReactNode {
  return (
    <span className="badge" data-tone={status}>
      {status}
    </span>
  );
}
