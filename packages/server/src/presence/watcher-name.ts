import { parsePresenceLabel, QUERY_PARAMS } from '@herald/protocol';
import type { Principal } from '../auth/principal.js';

/**
 * The name a watcher is shown by in presence (docs/protocol.md "Presence"), or `undefined` for an
 * anonymous watcher, who is counted but not named:
 * - a JWT with a `sub` claim is named by it, whatever label the client sends (no impersonation);
 * - otherwise the client's `label`, when its principal may label: the API key, a JWT whose
 *   `herald` claim says `"label": true`, or anyone on an open server (no API key, no JWT);
 * - otherwise nobody.
 */
export function resolveWatcherName(principal: Principal, label: string | undefined): string | undefined {
  if (principal.kind === 'jwt' && principal.subject !== undefined) return principal.subject;
  return principal.mayLabel === true ? label : undefined;
}

/**
 * The name of the watcher making an SSE or long-poll request: its principal and its `label` query
 * parameter (a string, once the route's schema has read the query).
 */
export function resolveRequestWatcherName(
  principal: Principal,
  query: { readonly [QUERY_PARAMS.label]?: string },
): string | undefined {
  return resolveWatcherName(principal, parsePresenceLabel(query[QUERY_PARAMS.label], QUERY_PARAMS.label));
}
