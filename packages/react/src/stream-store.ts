import type { HeraldClient, Subscription, SubscriptionSnapshot } from '@herald/client';

/**
 * What `useStream` returns: the subscription's snapshot `{state, events, seq, final, status,
 * lastEventAt, error}` (plus `pending`, the optimistic events not yet confirmed).
 */
export type StreamView = SubscriptionSnapshot;

/** An external store for `useSyncExternalStore`. */
export interface ExternalStore<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T;
}

/** How a stream reads before its subscription has opened: empty, as an unknown stream does. */
const NOT_SUBSCRIBED: StreamView = Object.freeze({
  state: null,
  events: [],
  seq: 0,
  final: false,
  status: 'connecting',
  lastEventAt: null,
  pending: [],
  error: null,
});

/**
 * Creates the store behind `useStream`. Creating it has no side effect (React may create and drop
 * it during render); the client subscription opens with the first listener and closes with the
 * last, so StrictMode's mount → unmount → mount leaves exactly one subscription open.
 */
export function createStreamStore(client: HeraldClient, stream: string): ExternalStore<StreamView> {
  const listeners = new Set<() => void>();
  let subscription: Subscription | undefined;
  let stopListening: (() => void) | undefined;

  function emit(): void {
    for (const listener of listeners) listener();
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!subscription) {
        subscription = client.subscribe(stream);
        stopListening = subscription.on('change', emit);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stopListening?.();
        subscription?.close();
        subscription = undefined;
      };
    },
    // The client returns the same snapshot object until something changes, as React requires.
    getSnapshot: () => subscription?.snapshot() ?? NOT_SUBSCRIBED,
  };
}
