import type { Principal } from './principal.js';

/** setTimeout's longest delay; a later expiry is reached in several waits. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** The cancellation of a credential that never expires: one function, not one per connection. */
const NEVER_EXPIRES = (): void => {};

/** How long `principal`'s credential stays valid, in ms (Infinity when it never expires). */
export function timeUntilExpiryMs(principal: Principal): number {
  return principal.expiresAtMs === undefined
    ? Number.POSITIVE_INFINITY
    : Math.max(0, principal.expiresAtMs - Date.now());
}

/**
 * Calls `onExpired` once when `principal`'s credential expires (never, for one without `exp`).
 * Live connections outlive the request that authenticated them, so each holds one of these.
 * Returns the cancellation.
 */
export function onPrincipalExpiry(principal: Principal, onExpired: () => void): () => void {
  const expiresAtMs = principal.expiresAtMs;
  if (expiresAtMs === undefined) return NEVER_EXPIRES;
  let timer: ReturnType<typeof setTimeout>;
  const wait = () => {
    const delayMs = Math.min(Math.max(expiresAtMs - Date.now(), 0), MAX_TIMER_DELAY_MS);
    timer = setTimeout(() => (Date.now() >= expiresAtMs ? onExpired() : wait()), delayMs);
    timer.unref?.();
  };
  wait();
  return () => clearTimeout(timer);
}
