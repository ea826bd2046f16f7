import { usePresence } from '@herald/react';
import type { ReactNode } from 'react';

/** "2 watching" on a run page: who has the stream open now, on any node; names in the tooltip. */
export function WatchingCount({ stream }: { stream: string }): ReactNode {
  const presence = usePresence(stream);
  if (presence === null) return null;
  const { count, names } = presence;
  const anonymous = count - names.length;
  const who = anonymous > 0 && names.length > 0 ? [...names, `${anonymous} more`] : names;
  return (
    <span className="watching muted" data-testid="watching" title={who.join(', ')}>
      {count} watching
    </span>
  );
}
