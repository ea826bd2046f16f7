import type { FastifyReply, FastifyRequest } from 'fastify';
import { toHeraldError } from '../http/error-handler.js';

/**
 * What Fastify does with an async handler's rejection, for a handler that answers later: the error
 * handler answers it, unless the reply was already sent (then it is only logged).
 */
export function sendFailure(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  if (reply.sent) {
    request.log.error({ err: error }, 'Promise errored, but reply.sent = true was set');
    return;
  }
  reply.send(error instanceof Error ? error : toHeraldError(error));
}
