import type { HeraldClient, SubscriptionSnapshot } from '@herald/client';
import { createSubscriptionStore, type ExternalStore } from './subscription-store.js';

/**
 * What `useStream` returns: the subscription's snapshot `{state, events, seq, final, status,
 * lastEventAt, error}` (plus `pending`, the optimistic events not yet confirmed).
 */
export type StreamView = SubscriptionSnapshot;

export type { ExternalStore } from './subscription-store.js';

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

/** Creates the store behind `useStream` (see createSubscriptionStore for its life cycle). */
export function createStreamStore(client: HeraldClient, stream: string): ExternalStore<StreamView> {
  return createSubscriptionStore(client, {
    open: () => client.subscribe(stream),
    listen: (subscription, emit) => subscription.on('change', emit),
    // The client returns the same snapshot object until something changes, as React requires.
    read: (subscription) => subscription.snapshot(),
    empty: NOT_SUBSCRIBED,
  });
}
