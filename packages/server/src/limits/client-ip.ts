import type { IncomingMessage } from 'node:http';

/**
 * The client address per-IP limits count against. Behind a reverse proxy every client arrives
 * from the proxy's address, so with `trustProxy` the original client named in `X-Forwarded-For`
 * counts instead (the same rule Fastify's `trustProxy: true` applies to `request.ip`).
 */
export function resolveClientIp(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for'];
  const header = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  const original = trustProxy ? header?.split(',')[0]?.trim() : undefined;
  return original || request.socket.remoteAddress || 'unknown';
}
