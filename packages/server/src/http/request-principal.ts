import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { readRequestToken } from '../auth/request-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request; set before any handler runs. Pass it to `authorize`. */
    principal: Principal;
  }
}

/**
 * Resolves every request's principal from its token before routing continues; a bad or expired
 * token fails the request at once with `unauthorized` / `token_expired`, whatever the route.
 */
export function registerRequestPrincipal(app: FastifyInstance, authenticate: Authenticator): void {
  // Fastify wants decorations declared up front with a primitive; the hook sets the real value.
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    request.principal = await authenticate(readRequestToken(request));
  });
}
