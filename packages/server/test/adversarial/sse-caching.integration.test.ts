import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';

/** The Cache-Control of an SSE response's head; the stream is then dropped. */
async function sseCacheControl(url: string): Promise<string | null> {
  const abort = new AbortController();
  try {
    const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    return response.headers.get('cache-control');
  } finally {
    abort.abort();
  }
}

const SSE_PATHS = ['/v1/streams/run:1/events', '/v1/sse?stream=run:1&stream=run:2', '/v1/streams?prefix=run:&watch=1'];

describe('Cache-Control of SSE responses (attack finding 10)', () => {
  describe('when reads need a token', () => {
    let server: LiveTestServer;
    let token: string;
    beforeAll(async () => {
      server = await startLiveTestServer({ jwt: { secret: TEST_JWT_SECRET } });
      token = await signTestToken({ read: ['run:*'] });
    });
    afterAll(async () => {
      await server.close();
    });

    it.each(SSE_PATHS)('marks %s private, as every token-gated read is', async (path) => {
      const separator = path.includes('?') ? '&' : '?';
      expect(await sseCacheControl(`${server.url}${path}${separator}token=${token}`)).toBe(
        'private, no-cache, no-transform',
      );
    });
  });

  describe('when reads are open', () => {
    let server: LiveTestServer;
    beforeAll(async () => {
      server = await startLiveTestServer();
    });
    afterAll(async () => {
      await server.close();
    });

    it.each(SSE_PATHS)('keeps %s at no-cache, no-transform', async (path) => {
      expect(await sseCacheControl(`${server.url}${path}`)).toBe('no-cache, no-transform');
    });
  });
});
