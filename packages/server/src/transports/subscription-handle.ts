import { type Subscription, type SubscriptionOptions, startSubscription } from '../delivery/subscription.js';

/** A subscription a transport can close at any time, even while it is still catching up. */
export interface SubscriptionHandle {
  close(): void;
}

/**
 * Starts a subscription without waiting for its catch-up. A close that comes before the catch-up
 * ends (client gone, unsub) is applied as soon as the subscription exists; until then the sink
 * ignores what it is given.
 */
export function openSubscription(options: SubscriptionOptions): SubscriptionHandle {
  let isClosed = false;
  let subscription: Subscription | undefined;
  startSubscription(options).then(
    (started) => {
      subscription = started;
      if (isClosed) started.close();
    },
    (error: unknown) => {
      if (!isClosed) options.sink.failed(error);
    },
  );
  return {
    close() {
      isClosed = true;
      subscription?.close();
    },
  };
}
