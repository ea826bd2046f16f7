import type { HeraldClient, StreamPresence } from '@herald/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useHeraldClient } from './herald-provider.js';
import { createSubscriptionStore, type ExternalStore } from './subscription-store.js';

/** The store behind `usePresence`: a subscription with `presence: true` (see createSubscriptionStore). */
export function createPresenceStore(client: HeraldClient, stream: string): ExternalStore<StreamPresence | null> {
  return createSubscriptionStore(client, {
    // Presence only: keep no window of events beyond the one the subscription must hold.
    open: () => client.subscribe(stream, { presence: true, maxEvents: 1 }),
    listen: (subscription, emit) => subscription.on('presence', emit),
    read: (subscription) => subscription.presence,
    empty: null,
  });
}

/**
 * Who watches `stream` (docs/protocol.md "Presence"): `{stream, count, names}`, `null` until the
 * server has said. This component counts as a watcher too, as every open page does.
 */
export function usePresence(stream: string): StreamPresence | null {
  const client = useHeraldClient();
  const store = useMemo(() => createPresenceStore(client, stream), [client, stream]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
