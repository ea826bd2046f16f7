import { createHash } from 'node:crypto';
import { HEADERS } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StreamPosition } from '../log/event-log.js';

/** A strong ETag for a response body. */
export function computeEtag(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * The strong ETag of a stream's snapshot, from its position: the snapshot's content follows from
 * its epoch, seq and firstSeq (EventLog.getPosition), so revalidating it reads, parses and hashes
 * no state, however large. `s1` names the snapshot's JSON shape: change it when that shape changes,
 * or clients would keep a copy of the old shape.
 */
export function snapshotEtag({ epoch, seq, firstSeq }: StreamPosition): string {
  return `"s1.${epoch ?? '-'}.${seq}.${firstSeq}"`;
}

/** Whether the request asks to revalidate a copy it holds (`If-None-Match`). */
export function hasIfNoneMatch(request: FastifyRequest): boolean {
  return request.headers[HEADERS.ifNoneMatch] !== undefined;
}

/** Whether the request's `If-None-Match` names `etag` (or `*`). */
export function isNotModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers[HEADERS.ifNoneMatch];
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === etag || candidate === '*';
  });
}

/** `304` with the ETag and no body: the client's copy is current. `cacheControl` applies. */
export function sendNotModified(reply: FastifyReply, etag: string, cacheControl: string) {
  return reply
    .header(HEADERS.etag, etag)
    .header(HEADERS.cacheControl, cacheControl)
    .header('vary', varyOnAccept(reply))
    .code(304)
    .send();
}

/**
 * The reply's `Vary` (CORS's `Origin`, if set) with `Accept` added: the read routes answer the same
 * URL with Server-Sent Events for `Accept: text/event-stream`, so a shared cache must not hand a
 * stored JSON page to an EventSource, which then fails for good (review finding).
 */
function varyOnAccept(reply: FastifyReply): string {
  const current = reply.getHeader('vary');
  return current === undefined ? 'Accept' : `${String(current)}, Accept`;
}

/**
 * Sends a JSON body with its ETag (by default the hash of the body), or `304` with the ETag and no
 * body when the client already has it (cheap ETag polling). `cacheControl` applies to both.
 */
export function sendWithEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  body: string,
  cacheControl: string,
  etag = computeEtag(body),
) {
  if (isNotModified(request, etag)) return sendNotModified(reply, etag, cacheControl);
  return reply
    .header(HEADERS.etag, etag)
    .header(HEADERS.cacheControl, cacheControl)
    .header('vary', varyOnAccept(reply))
    .type('application/json')
    .send(body);
}
