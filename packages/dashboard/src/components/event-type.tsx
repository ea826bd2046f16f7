import type { ReactNode } from 'react';

/** An event type, coloured by its outcome word (`started`, `completed`, `failed`, …). */
export function EventType({ type }: { type: string }): ReactNode {
  const tone = /fail|error/.test(type)
    ? 'failed'
    : /complet|succe|done/.test(type)
      ? 'completed'
      : /start|retry/.test(type)
        ? 'running'
        : 'neutral';
  return (
    <code className="event-type" data-tone={tone}>
      {type}
    </code>
  );
}
