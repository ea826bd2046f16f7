import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { exchangeRawBytes, type RawResponse, requestRawPath } from '../support/raw-http.js';

/** Asserts Herald's error envelope: `{"error": {"code", "message"}}`, JSON, never cached. */
function expectEnvelope(response: RawResponse, status: number, code: string): void {
  expect({ status: response.status, body: JSON.parse(response.text) }).toMatchObject({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.headers['cache-control']).toBe('no-store');
}

/** Writes `head` to the server as is and resolves whatever it answers before closing. */
async function sendRawRequest(url: string, head: string): Promise<RawResponse> {
  const text = await exchangeRawBytes(url, head);
  const [headText = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = headText.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, text: body };
}

describe("Fastify's own errors carry Herald's envelope (issue 12 item 10)", () => {
  let server: LiveTestServer;
  beforeAll(async () => {
    server = await startLiveTestServer({ limits: { maxBodyBytes: 1024 } });
  });
  afterAll(() => server.close());

  it('answers an unknown route 404 not_found', async () => {
    expectEnvelope(await requestRawPath(server.url, '/v2/nothing'), 404, 'not_found');
  });

  it('answers a body that is not JSON 415 unsupported_media_type', async () => {
    const response = await requestRawPath(server.url, '/v1/streams/run:a/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expectEnvelope(response, 415, 'unsupported_media_type');
  });

  it('answers malformed JSON 400 invalid_json', async () => {
    const response = await requestRawPath(server.url, '/v1/streams/run:a/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":',
    });
    expectEnvelope(response, 400, 'invalid_json');
  });

  it('answers a body over the body limit 413 payload_too_large', async () => {
    const response = await requestRawPath(server.url, '/v1/streams/run:a/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'x', data: 'y'.repeat(4096) }),
    });
    expectEnvelope(response, 413, 'payload_too_large');
  });

  it('answers a path that does not decode 400 invalid_request', async () => {
    expectEnvelope(await requestRawPath(server.url, '/v1/streams/%E0%A4%A/events'), 400, 'invalid_request');
  });

  it.each(['GET', 'POST', 'DELETE'])(
    'answers an over-long stream parameter on %s 400 invalid_stream_name, not 414',
    async (method) => {
      const response = await requestRawPath(server.url, `/v1/streams/${'a'.repeat(5000)}`, {
        method,
        ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
      });
      expectEnvelope(response, 400, 'invalid_stream_name');
    },
  );

  it('answers a request the HTTP parser refuses 400 invalid_request', async () => {
    const response = await sendRawRequest(server.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n');
    expectEnvelope(response, 400, 'invalid_request');
  });

  it('answers headers over the size limit 400 invalid_request', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`;
    expectEnvelope(await sendRawRequest(server.url, head), 400, 'invalid_request');
  });
});

describe('OPTIONS requests (Herald answers OPTIONS only as a CORS preflight)', () => {
  let server: LiveTestServer;
  beforeAll(async () => {
    server = await startLiveTestServer({ corsOrigins: ['https://app.example'] });
  });
  afterAll(() => server.close());
  const options = (headers: Record<string, string>) =>
    requestRawPath(server.url, '/v1/streams/run:1/events', { method: 'OPTIONS', headers });

  it('answers an OPTIONS without Origin 400 invalid_request in the envelope, naming the header', async () => {
    const answer = await options({});
    expectEnvelope(answer, 400, 'invalid_request');
    expect(JSON.parse(answer.text).error.details).toEqual({ path: 'headers.origin' });
  });

  it('answers an OPTIONS with Origin but no Access-Control-Request-Method 400 invalid_request, naming it', async () => {
    const answer = await options({ origin: 'https://app.example' });
    expectEnvelope(answer, 400, 'invalid_request');
    expect(JSON.parse(answer.text).error.details).toEqual({ path: 'headers.access-control-request-method' });
  });

  it('still answers a CORS preflight 204 with its access-control headers', async () => {
    const answer = await options({ origin: 'https://app.example', 'access-control-request-method': 'POST' });
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(answer.headers['access-control-allow-methods']).toContain('POST');
  });
});
