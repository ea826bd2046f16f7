import type { JsonValue, StreamSnapshot } from '@herald/protocol';

/** A stream snapshot with sensible defaults for tests. */
export function snapshotOf(stream: string, seq: number, state: JsonValue, createdAt: string): StreamSnapshot {
  return { stream, epoch: 'ep1', seq, firstSeq: 1, state, final: false, createdAt, updatedAt: createdAt };
}

/** A JSON `Response` with an optional ETag. */
export function jsonResponse(body: unknown, etag?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (etag) headers.etag = etag;
  return new Response(JSON.stringify(body), { status: 200, headers });
}
