import type { HeraldClient, StreamPresence, Subscription } from '@herald/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useHeraldClient } from './herald-provider.js';
import type { ExternalStore } from './stream-store.js';

/**
 * The store behind `usePresence`: like `createStreamStore`, no side effect until the first
 * listener, which opens a subscription with `presence: true`; the last one closes it.
 */
export function createPresenceStore(client: HeraldClient, stream: string): ExternalStore<StreamPresence | null> {
  const listeners = new Set<() => void>();
  let subscription: Subscription | undefined;
  let stopListening: (() => void) | undefined;

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!subscription) {
        // Presence only: keep no window of events beyond the one the subscription must hold.
        subscription = client.subscribe(stream, { presence: true, maxEvents: 1 });
        stopListening = subscription.on('presence', () => {
          for (const each of listeners) each();
        });
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stopListening?.();
        subscription?.close();
        subscription = undefined;
      };
    },
    getSnapshot: () => subscription?.presence ?? null,
  };
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
