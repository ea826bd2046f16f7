import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeraldError, isHeraldError } from '@herald/protocol';
import type { Principal } from '../auth/principal.js';
import { readRequestToken } from '../auth/request-token.js';
import type { HeraldContext } from '../herald-context.js';
import { encodeRawHttpError } from '../http/error-handler.js';
import { resolveClientIp } from '../limits/client-ip.js';

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

/**
 * The checks a WebSocket passes before its handshake, so a refused client costs no connection:
 * shutdown, the Origin allow-list, the per-IP connection limit, then the token (which may be
 * absent: an anonymous connection can still read what the server allows, or send `auth`).
 */
export async function admitUpgrade(request: IncomingMessage, ctx: HeraldContext): Promise<Admission> {
  if (ctx.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
  if (!isOriginAllowed(request.headers.origin, ctx.config.corsOrigins)) {
    throw new HeraldError('forbidden', 'this Origin may not open WebSockets');
  }
  const clientIp = resolveClientIp(request, ctx.limits.proxyTrust);
  const release = ctx.limits.connections.acquire(clientIp);
  try {
    const principal = await ctx.authenticate(readRequestToken(request));
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
