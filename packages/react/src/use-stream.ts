import { useMemo, useSyncExternalStore } from 'react';
import { useHeraldClient } from './herald-provider.js';
import { createStreamStore, type StreamView } from './stream-store.js';

/**
 * Subscribes to one stream for as long as the component is mounted and returns its live view
 * `{state, events, seq, final, status, lastEventAt, error}`. Components using the same stream
 * each hold their own subscription; the client multiplexes them on one connection.
 */
export function useStream(stream: string): StreamView {
  const client = useHeraldClient();
  const store = useMemo(() => createStreamStore(client, stream), [client, stream]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
