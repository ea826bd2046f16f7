import type { FastifyRequest } from 'fastify';
import type { PollClient } from '../presence/poll-presence.js';

/** Who made a poll, as PollPresence counts it: its socket and its client IP (proxy trust applied). */
export function pollClientOf(request: FastifyRequest): PollClient {
  return { socket: request.raw.socket, ip: request.ip };
}
