import { Subscription, type SubscriptionOptions } from '../delivery/subscription.js';
import type { Presence } from '../presence/presence.js';

/** A subscription a transport can close at any time, even while it is still catching up. */
export interface SubscriptionHandle {
  close(): void;
}

/**
 * Starts a subscription without waiting for its catch-up. A close that comes before the catch-up
 * ends (client gone, unsub) stops it at once: no more history is read for nobody, and the stream's
 * channel is released. The subscriber counts as a watcher of the stream until the close.
 */
export function openSubscription(options: Omit<SubscriptionOptions, 'signal'>, watcher: Watcher): SubscriptionHandle {
  const subscription = Subscription.open(options);
  const leave = watcher.presence.join(options.stream, watcher.name);
  return {
    close() {
      subscription.close();
      leave();
    },
  };
}

/** Who a subscription counts as in the stream's presence, for as long as it is open. */
export interface Watcher {
  /** Presence itself, or a connection's watchers (ConnectionWatchers), which count its streams once each. */
  presence: Pick<Presence, 'join'>;
  /**
   * For Presence the name (see resolveWatcherName; `undefined`: counted, not named); for
   * ConnectionWatchers the client's label, which the connection's principal names.
   */
  name: string | undefined;
}
