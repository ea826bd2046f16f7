import { ERROR_TABLE, type ErrorCode, type StreamListPage } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessHerald, startInProcessHerald } from '../support/herald-process.js';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';

const API_KEY = 'publisher-key';
const MAX_BODY_BYTES = 32 * 1024;

/** `{"type":"a"}` padded with JSON whitespace to exactly `bytes` bytes: a body whose size is all it has. */
function paddedBody(bytes: number): string {
  const event = JSON.stringify({ type: 'a' });
  return event + ' '.repeat(bytes - event.length);
}

/** Codes that only a live connection (WebSocket, SSE) or a failing store can produce; tested there. */
const NOT_FROM_HTTP_ROUTES: ErrorCode[] = [
  'too_many_subscriptions',
  'too_many_connections',
  'slow_consumer',
  'unavailable',
  'internal',
  // A startup error: test/config/config.test.ts and the CLI's run-cli.test.ts reach it.
  'invalid_config',
];

interface BadRequest {
  name: string;
  code: ErrorCode;
  path: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: () => Promise<string>;
}

const BAD_REQUESTS: BadRequest[] = [
  { name: 'a wrongly typed field', code: 'invalid_request', path: '/v1/streams/run:1/events', body: { type: 5 } },
  { name: 'an unknown field', code: 'invalid_request', path: '/v1/streams/run:1/events', body: { type: 'a', tag: {} } },
  { name: 'an empty batch', code: 'invalid_request', path: '/v1/streams/run:1/events', body: { events: [] } },
  {
    name: 'a bad query parameter',
    code: 'invalid_request',
    path: '/v1/streams/run:1/events?limit=5000',
    token: async () => API_KEY,
  },
  { name: 'malformed JSON', code: 'invalid_json', path: '/v1/streams/run:1/events', body: '{"type": "a",' },
  {
    name: 'an empty JSON body',
    code: 'invalid_json',
    path: '/v1/streams/run:1/events',
    body: '',
    headers: { 'content-type': 'application/json' },
    method: 'POST',
  },
  { name: 'a bad stream name', code: 'invalid_stream_name', path: '/v1/streams/-bad/events', body: { type: 'a' } },
  {
    name: 'a bad stream name in a cross-stream batch',
    code: 'invalid_stream_name',
    path: '/v1/events',
    body: { events: [{ stream: 'run 1', type: 'a' }] },
  },
  {
    name: 'a publish without the API key',
    code: 'unauthorized',
    path: '/v1/streams/run:1/events',
    body: { type: 'a' },
  },
  {
    name: 'an expired token',
    code: 'token_expired',
    path: '/v1/streams/run:1/events',
    body: { type: 'a' },
    token: () => signTestToken({ publish: ['*'] }, { expiresInSeconds: -10 }),
  },
  {
    name: 'a token outside its scope',
    code: 'forbidden',
    path: '/v1/streams/run:1/events',
    body: { type: 'a' },
    token: () => signTestToken({ publish: ['job:*'] }),
  },
  { name: 'an unknown route', code: 'not_found', path: '/v1/nothing-here' },
  {
    name: 'a publish to a final stream',
    code: 'stream_final',
    path: '/v1/streams/run:final/events',
    body: { type: 'late' },
    token: async () => API_KEY,
  },
  {
    name: 'a stale expectedSeq',
    code: 'seq_conflict',
    path: '/v1/streams/run:1/events',
    body: { type: 'a', expectedSeq: 7 },
    token: async () => API_KEY,
  },
  {
    name: 'a reused id with a different event',
    code: 'id_conflict',
    path: '/v1/streams/run:1/events',
    body: { type: 'not-the-seed', id: 'seed-run:1' },
    token: async () => API_KEY,
  },
  {
    name: 'a state patch past the state limit',
    code: 'state_too_large',
    path: '/v1/streams/run:1/events',
    body: { type: 'a', state: { big: 'x'.repeat(600) } },
    token: async () => API_KEY,
  },
  {
    name: 'an event over the payload limit',
    code: 'payload_too_large',
    path: '/v1/streams/run:1/events',
    body: { type: 'a', data: 'x'.repeat(2048) },
    token: async () => API_KEY,
  },
  {
    // One small event, within the payload and batch limits: only the body's size breaks a limit.
    name: 'a body over the body limit',
    code: 'payload_too_large',
    path: '/v1/streams/run:1/events',
    body: paddedBody(MAX_BODY_BYTES + 1),
    token: async () => API_KEY,
  },
  {
    name: 'a batch over the batch limit',
    code: 'payload_too_large',
    path: '/v1/streams/run:1/events',
    body: { events: Array.from({ length: 11 }, () => ({ type: 'a' })) },
    token: async () => API_KEY,
  },
  {
    name: 'a non-JSON content type',
    code: 'unsupported_media_type',
    path: '/v1/streams/run:1/events',
    body: 'type=a',
    headers: { 'content-type': 'text/plain' },
    token: async () => API_KEY,
  },
];

let server: InProcessHerald;
beforeAll(async () => {
  server = await startInProcessHerald({
    apiKey: API_KEY,
    jwt: { secret: TEST_JWT_SECRET },
    limits: {
      maxPayloadBytes: 1024,
      maxBatchEvents: 10,
      maxBodyBytes: MAX_BODY_BYTES,
      maxStateBytes: 512,
      publishRatePerSecond: 0,
    },
  });
  for (const stream of ['run:1', 'run:final']) {
    await requestJson(`${server.url}/v1/streams/${stream}/events`, {
      body: { type: 'seed', id: `seed-${stream}`, state: { ok: true }, final: stream === 'run:final' },
      token: API_KEY,
    });
  }
});
afterAll(() => server.close());

describe('error responses (G7)', () => {
  it.each(BAD_REQUESTS)('answers $name with $code', async (request) => {
    const token = await request.token?.();
    const answer = await requestJson<{ error: { code: string; message: string } }>(`${server.url}${request.path}`, {
      ...(request.method === undefined ? {} : { method: request.method }),
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(token === undefined ? {} : { token }),
    });
    expect(answer.body.error.code).toBe(request.code);
    expect(answer.body.error.message).toEqual(expect.any(String));
    expect(answer.status).toBe(ERROR_TABLE[request.code].status);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('accepts the same padded event when its body is exactly at the body limit', async () => {
    const answer = await requestJson<{ seq: number }>(`${server.url}/v1/streams/padded:1/events`, {
      body: paddedBody(MAX_BODY_BYTES),
      token: API_KEY,
    });
    expect(answer.status).toBe(201);
    expect(answer.body.seq).toBe(1);
  });

  it('changes no stream on bad input', async () => {
    const list = await requestJson<StreamListPage>(`${server.url}/v1/streams?prefix=run:`, { token: API_KEY });
    expect(list.body.streams.map(({ stream, seq }) => [stream, seq])).toEqual([
      ['run:1', 1],
      ['run:final', 1],
    ]);
  });

  it('reaches every HTTP error code, leaving only the transport and failure codes to other suites', () => {
    const reached = new Set<string>([...BAD_REQUESTS.map((request) => request.code), 'rate_limited', 'shutting_down']);
    const untested = Object.keys(ERROR_TABLE).filter((code) => !reached.has(code));
    expect(untested.sort()).toEqual([...NOT_FROM_HTTP_ROUTES].sort());
  });
});

describe('rate limiting', () => {
  let limited: InProcessHerald;
  beforeAll(async () => {
    limited = await startInProcessHerald({ limits: { publishRatePerSecond: 1, publishBurst: 2 } });
  });
  afterAll(() => limited.close());

  it('answers rate_limited with Retry-After once a client exceeds its publish rate', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await requestJson<{ error?: { code: string } }>(`${limited.url}/v1/streams/run:r/events`, {
          body: { type: 'a' },
        }),
      );
    }
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 429]);
    expect(answers[2]!.body.error?.code).toBe('rate_limited');
    expect(Number(answers[2]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('shutdown', () => {
  it('reports shutting_down on /readyz once shutdown has begun', async () => {
    const closing = await startInProcessHerald();
    const ready = await requestJson(`${closing.url}/readyz`);
    expect(ready.status).toBe(200);
    await closing.herald.context.shutdown.run();
    const answer = await requestJson<{ error: { code: string } }>(`${closing.url}/readyz`);
    expect(answer.body.error.code).toBe('shutting_down');
    expect(answer.status).toBe(503);
    await closing.close();
  });
});
