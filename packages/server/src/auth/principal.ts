/** What an access check is about: reading a stream, publishing to it, or administering Herald. */
export type Action = 'read' | 'publish' | 'admin';

/**
 * Who is making a request, and what they may do. Stream patterns are exact stream names or a
 * prefix ending in `*` (`run:*`; `*` alone matches every stream).
 */
export interface Principal {
  /** How the principal was established. */
  kind: 'anonymous' | 'api_key' | 'jwt';
  /** Stream patterns the principal may read. */
  read: readonly string[];
  /** Stream patterns the principal may publish to. */
  publish: readonly string[];
  /** Whether admin routes (deletes) are allowed. */
  admin: boolean;
  /** When the credential stops being valid (epoch ms); live connections close with 4001 then. */
  expiresAtMs?: number;
  /** The token's subject, for logs and as its holder's name in presence. */
  subject?: string;
  /** Whether a client may name itself in presence with a label of its choosing (resolveWatcherName). */
  mayLabel?: boolean;
}

/** Which anonymous requests a server allows, given its auth settings. */
export interface AnonymousAccess {
  /** Whether an API key protects publishing and admin routes. */
  hasApiKey: boolean;
  /** Whether JWT verification is configured (then reads need a token too). */
  hasJwt: boolean;
}

const EVERY_STREAM = ['*'] as const;

/**
 * The principal of a request without credentials. An open server (no API key, no JWT) lets it do
 * everything; an API key alone protects only publishing and admin (DESIGN "Configuration"); once
 * JWT is configured, reading needs a token as well, or the read scopes of tokens would mean nothing.
 */
export function anonymousPrincipal(access: AnonymousAccess): Principal {
  const isOpen = !access.hasApiKey && !access.hasJwt;
  return {
    kind: 'anonymous',
    read: access.hasJwt ? [] : EVERY_STREAM,
    publish: isOpen ? EVERY_STREAM : [],
    admin: isOpen,
    // On an open server nobody is authenticated: a label is the only name a watcher can have.
    ...(isOpen ? { mayLabel: true } : {}),
  };
}

/** The principal of a request carrying the server's API key: full access. */
export const API_KEY_PRINCIPAL: Principal = {
  kind: 'api_key',
  read: EVERY_STREAM,
  publish: EVERY_STREAM,
  admin: true,
  mayLabel: true,
};
