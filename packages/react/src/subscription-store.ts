import type { HeraldClient, Subscription } from '@herald/client';

/** An external store for `useSyncExternalStore`. */
export interface ExternalStore<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): T;
}

/** How a store over one client subscription opens it, hears it change and reads it. */
export interface SubscriptionStoreSpec<T> {
  open(client: HeraldClient): Subscription;
  /** Calls `emit` on every change of what `read` returns; returns the removal. */
  listen(subscription: Subscription, emit: () => void): () => void;
  read(subscription: Subscription): T;
  /** What the store reads before the subscription has opened. */
  empty: T;
}

/**
 * A store over one client subscription. Creating it has no side effect (React may create and drop
 * it during render); the subscription opens with the first listener and closes with the last, so
 * StrictMode's mount → unmount → mount leaves exactly one subscription open.
 */
export function createSubscriptionStore<T>(client: HeraldClient, spec: SubscriptionStoreSpec<T>): ExternalStore<T> {
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
        subscription = spec.open(client);
        stopListening = spec.listen(subscription, emit);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        stopListening?.();
        subscription?.close();
        subscription = undefined;
      };
    },
    getSnapshot: () => (subscription ? spec.read(subscription) : spec.empty),
  };
}
