import { HEADERS } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import type { IngestOutcome } from './planned-event.js';

/** Why a delivery was acknowledged without being stored. */
export type IgnoredReason = 'ping' | 'unsupported_event' | 'not_matched';

/**
 * Answers a webhook delivery. Every answer a sender should not retry is 2xx, so GitHub and GitLab
 * show it as delivered: `201` appended (also a stale delivery kept for the record), `200` a
 * redelivery, a late delivery to a final stream or a ping, `202` an event Herald does not map.
 */
export function sendIngestAnswer(
  reply: FastifyReply,
  answer: IngestOutcome | { outcome: 'ignored'; reason: IgnoredReason; event?: string },
): FastifyReply {
  const isStored = answer.outcome === 'appended' || answer.outcome === 'stale';
  const isUnmapped =
    answer.outcome === 'ignored' && (answer.reason === 'unsupported_event' || answer.reason === 'not_matched');
  const status = isStored ? 201 : isUnmapped ? 202 : 200;
  return reply.code(status).header(HEADERS.cacheControl, 'no-store').send(answer);
}
