import { HeraldError } from '@herald/protocol';
import type { Action, Principal } from './principal.js';
import { patternsCover } from './stream-pattern.js';

/**
 * The one access check: every HTTP route, the WebSocket and the SSE transport call it. `target`
 * is a stream name, a prefix query `prefix*`, or omitted for "every stream" (cross-stream
 * queries). Throws `token_expired` for an expired credential, `unauthorized` when an anonymous
 * request needs credentials, `forbidden` when the credential does not cover the target.
 */
export function authorize(principal: Principal, action: Action, target = '*', nowMs = Date.now()): void {
  if (principal.expiresAtMs !== undefined && principal.expiresAtMs <= nowMs) {
    throw new HeraldError('token_expired', 'the token has expired; fetch a new one');
  }
  const isAllowed = action === 'admin' ? principal.admin : patternsCover(principal[action], target);
  if (isAllowed) return;
  if (principal.kind === 'anonymous') {
    throw new HeraldError('unauthorized', `${action} needs a token or API key`, { details: { action } });
  }
  throw new HeraldError('forbidden', `this token may not ${action} ${action === 'admin' ? '' : target}`.trim(), {
    details: { action, ...(action === 'admin' ? {} : { target }) },
  });
}

/**
 * The access check of a cross-stream read (the history query, a live feed): the narrowest filter
 * given decides what must be readable — one stream, a prefix, or every stream.
 */
export function authorizeFilter(principal: Principal, filter: { stream?: string; prefix?: string }): void {
  authorize(principal, 'read', filter.stream ?? `${filter.prefix ?? ''}*`);
}
