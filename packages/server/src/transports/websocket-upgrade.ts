import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeraldError, isHeraldError } from '@herald/protocol';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { readRequestToken } from '../auth/request-token.js';
import { encodeRawHttpError } from '../http/error-handler.js';
import { type ProxyTrust, resolveClientIp } from '../limits/client-ip.js';
import type { LiveConnections } from './live-connections.js';

/** A client let through the checks that come before the WebSocket handshake. */
export interface Admission {
  principal: Principal;
  clientIp: string;
  /** Gives the connection's slot back to the per-IP limit. */
  release: () => void;
}

function isOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  // Only browsers send Origin; other clients authenticate with tokens alone.
  return origin === undefined || allowed.includes('*') || allowed.includes(origin);
}

/** What the checks before a WebSocket handshake work with. */
export interface UpgradeAdmissionDeps {
  live: LiveConnections;
  /** Origins browsers may open WebSockets from (`*`: any). */
  corsOrigins: readonly string[];
  proxyTrust: ProxyTrust;
  authenticate: Authenticator;
}

/**
 * The checks a WebSocket passes before its handshake, so a refused client costs no connection:
 * shutdown, the Origin allow-list, the per-IP connection limit, then the token (which may be
 * absent: an anonymous connection can still read what the server allows, or send `auth`).
 */
export async function admitUpgrade(request: IncomingMessage, deps: UpgradeAdmissionDeps): Promise<Admission> {
  deps.live.assertAccepting();
  if (!isOriginAllowed(request.headers.origin, deps.corsOrigins)) {
    throw new HeraldError('forbidden', 'this Origin may not open WebSockets');
  }
  const clientIp = resolveClientIp(request, deps.proxyTrust);
  const release = deps.live.admit(clientIp);
  try {
    const principal = await deps.authenticate(readRequestToken(request));
    return { principal, clientIp, release };
  } catch (error) {
    release();
    throw error;
  }
}

/** Answers a refused upgrade with a plain HTTP error (`{"error": …}`) and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: unknown): void {
  const herald = isHeraldError(error) ? error : new HeraldError('internal', 'internal error');
  socket.end(encodeRawHttpError(herald));
}
