import type { JsonValue, StreamSnapshot } from '@herald/protocol';
import { vi } from 'vitest';

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

/**
 * A fake `GET /v1/streams` endpoint over a mutable list: answers `304` while the client's ETag
 * matches the list's version, and can be told to fail.
 */
export function createListServer(initial: StreamSnapshot[]) {
  const server = { streams: initial, version: 1, failWith: null as (() => Response) | null };
  const fetch = vi.fn(async (_url: string, init?: RequestInit): Promise<Response> => {
    if (server.failWith) return server.failWith();
    const etag = `"v${server.version}"`;
    const headers = (init?.headers ?? {}) as Record<string, string>;
    if (headers['if-none-match'] === etag) return new Response(null, { status: 304, headers: { etag } });
    return jsonResponse({ streams: server.streams }, etag);
  });
  return {
    fetch,
    /** Makes every read answer `status` with an error body of `code`, or (null) succeed again. */
    fail(failure: { status: number; code: string } | null) {
      const body = failure && JSON.stringify({ error: { code: failure.code, message: failure.code } });
      server.failWith = failure && (() => new Response(body, { status: failure.status }));
    },
    setStreams(streams: StreamSnapshot[]) {
      server.streams = streams;
      server.version++;
    },
  };
}
