import { Subscription, type SubscriptionOptions } from '../delivery/subscription.js';

/** A subscription a transport can close at any time, even while it is still catching up. */
export interface SubscriptionHandle {
  close(): void;
}

/**
 * Starts a subscription without waiting for its catch-up. A close that comes before the catch-up
 * ends (client gone, unsub) stops it at once: no more history is read for nobody, and the stream's
 * channel is released.
 */
export function openSubscription(options: Omit<SubscriptionOptions, 'signal'>): SubscriptionHandle {
  return Subscription.open(options);
}
