import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NginxProcess } from '../scale-out/support/nginx-process.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { type RawResponse, requestRawPath } from '../support/raw-http.js';
import { findFreePort } from '../support/redis-server-process.js';

/** Asserts that nginx answered with Herald's error envelope, not its own HTML page. */
function expectEnvelope(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, contentType: response.headers['content-type'] }).toEqual({
    status,
    contentType: 'application/json',
  });
  expect(response.headers['cache-control']).toBe('no-store');
  expect(JSON.parse(response.text)).toEqual({ error: { code, message: expect.any(String) } });
}

describe("deploy/nginx.conf answers its own errors in Herald's envelope (attack finding 10)", () => {
  describe('with a live node', () => {
    let server: LiveTestServer;
    let nginx: NginxProcess;
    beforeAll(async () => {
      server = await startLiveTestServer();
      nginx = await NginxProcess.start([server.url]);
    });
    afterAll(async () => {
      await nginx?.close();
      await server?.close();
    });

    it('answers a body over client_max_body_size with 413 payload_too_large', async () => {
      const response = await requestRawPath(nginx.url, '/v1/streams/run:big/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(17 * 1024 * 1024) },
      });
      expectEnvelope(response, 413, 'payload_too_large');
    });

    it('answers a URL nginx refuses with 400 invalid_request', async () => {
      expectEnvelope(await requestRawPath(nginx.url, '/../../etc/passwd'), 400, 'invalid_request');
    });

    it("passes Herald's own errors through unchanged", async () => {
      const response = await requestRawPath(nginx.url, '/v1/nothing-here');
      expect(response.status).toBe(404);
      expect(JSON.parse(response.text)).toMatchObject({ error: { code: 'not_found' } });
    });
  });

  describe('with every node down', () => {
    let nginx: NginxProcess;
    beforeAll(async () => {
      const deadPort = await findFreePort();
      nginx = await NginxProcess.start([`http://127.0.0.1:${deadPort}`]);
    });
    afterAll(async () => {
      await nginx?.close();
    });

    it('answers 503 unavailable instead of a 502 page', async () => {
      expectEnvelope(await requestRawPath(nginx.url, '/v1/streams/run:1'), 503, 'unavailable');
    });
  });
});
