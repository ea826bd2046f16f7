import { createHash } from 'node:crypto';
import { HEADERS } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A strong ETag for a response body. */
export function computeEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/** Whether the request's `If-None-Match` names `etag` (or `*`). */
function isNotModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers[HEADERS.ifNoneMatch];
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === etag || candidate === '*';
  });
}

/**
 * Sends a JSON body with its ETag, or `304` with the ETag and no body when the client already has
 * it (cheap ETag polling). `cacheControl` applies to both.
 */
export function sendWithEtag(request: FastifyRequest, reply: FastifyReply, body: string, cacheControl: string) {
  const etag = computeEtag(body);
  reply.header(HEADERS.etag, etag).header(HEADERS.cacheControl, cacheControl);
  if (isNotModified(request, etag)) return reply.code(304).send();
  return reply.type('application/json').send(body);
}
