import { ERROR_TABLE } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { openRefusedWebSocket, type Refusal, requestRefusedSse } from '../support/refused-request.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

// SSE requests pass the same access check and limits as every other transport, and a refusal is
// an ordinary HTTP error sent before the event stream starts (docs/protocol.md, "Server-Sent Events").

const MAX_CONNECTIONS_PER_IP = 2;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 2;
const CLIENT_IP = '127.0.0.1';

/** Asserts a refusal: its code first, then the status the error table gives it, never cached. */
function expectRefusal(refusal: Refusal, code: keyof typeof ERROR_TABLE): void {
  expect(refusal.error.code).toBe(code);
  expect(refusal.error.message).toEqual(expect.any(String));
  expect(refusal.status).toBe(ERROR_TABLE[code].status);
  expect(refusal.cacheControl).toBe('no-store');
}

describe('SSE access checks', () => {
  let server: LiveTestServer;
  let reader: string;
  const streamUrl = (stream: string, token?: string) =>
    `${server.url}/v1/streams/${stream}/events${token === undefined ? '' : `?token=${token}`}`;
  const multiUrl = (streams: string[], token?: string) =>
    `${server.url}/v1/sse?${streams.map((stream) => `stream=${stream}`).join('&')}${token === undefined ? '' : `&token=${token}`}`;
  const openCount = () => server.herald.context.limits.connections.count(CLIENT_IP);

  beforeAll(async () => {
    server = await startLiveTestServer({
      jwt: { secret: TEST_JWT_SECRET },
      limits: {
        maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
        maxSubscriptionsPerConnection: MAX_SUBSCRIPTIONS_PER_CONNECTION,
      },
    });
    reader = await signTestToken({ read: ['run:*'] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('opens the event stream for a ?token= that covers the stream', async () => {
    const client = await SseTestClient.open(streamUrl('run:1', reader));
    await client.waitUntil(() => client.named('live').length === 1);
    expect(client.status).toBe(200);
    client.close();
  });

  it('answers a request without a token with 401 unauthorized when reads need one', async () => {
    expectRefusal(await requestRefusedSse(streamUrl('run:1')), 'unauthorized');
    expectRefusal(await requestRefusedSse(multiUrl(['run:1', 'run:2'])), 'unauthorized');
  });

  it('answers a token that is not valid with 401 unauthorized, and an expired one with 401 token_expired', async () => {
    expectRefusal(await requestRefusedSse(streamUrl('run:1', 'not-a-jwt')), 'unauthorized');
    const foreign = await signTestToken({ read: ['*'] }, { secret: 'another-secret-that-is-long-enough-too' });
    expectRefusal(await requestRefusedSse(streamUrl('run:1'), { authorization: `Bearer ${foreign}` }), 'unauthorized');
    const expired = await signTestToken({ read: ['*'] }, { expiresInSeconds: -10 });
    expectRefusal(await requestRefusedSse(streamUrl('run:1', expired)), 'token_expired');
  });

  it('answers a stream outside the token read patterns with 403 forbidden, also among allowed streams', async () => {
    expectRefusal(await requestRefusedSse(streamUrl('org:acme', reader)), 'forbidden');
    expectRefusal(await requestRefusedSse(multiUrl(['run:1', 'org:acme'], reader)), 'forbidden');
    const publisherOnly = await signTestToken({ publish: ['*'] });
    expectRefusal(await requestRefusedSse(streamUrl('run:1', publisherOnly)), 'forbidden');
  });

  it('answers a malformed stream name with 400 invalid_stream_name', async () => {
    expectRefusal(await requestRefusedSse(streamUrl('-bad', reader)), 'invalid_stream_name');
    expectRefusal(await requestRefusedSse(multiUrl(['run:1', 'run%201'], reader)), 'invalid_stream_name');
  });

  it('answers a multi-stream request over maxSubscriptionsPerConnection with 429 too_many_subscriptions', async () => {
    const streams = ['run:m1', 'run:m2', 'run:m3'];
    const refusal = await requestRefusedSse(multiUrl(streams, reader));
    expectRefusal(refusal, 'too_many_subscriptions');
    expect(refusal.error.details).toEqual({ limit: MAX_SUBSCRIPTIONS_PER_CONNECTION });
    const atLimit = await SseTestClient.open(multiUrl(streams.slice(0, MAX_SUBSCRIPTIONS_PER_CONNECTION), reader));
    await atLimit.waitUntil(() => atLimit.named('live').length === MAX_SUBSCRIPTIONS_PER_CONNECTION);
    atLimit.close();
  });

  it('answers a response beyond the per-IP limit with 429 too_many_connections, and frees the slot when one ends', async () => {
    await expect.poll(openCount).toBe(0);
    const open = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_IP }, () => SseTestClient.open(streamUrl('run:1', reader))),
    );
    expect(open.map((client) => client.status)).toEqual([200, 200]);
    const refusal = await requestRefusedSse(streamUrl('run:1', reader));
    expectRefusal(refusal, 'too_many_connections');
    expect(refusal.error.details).toEqual({ limit: MAX_CONNECTIONS_PER_IP });
    expectRefusal(await requestRefusedSse(multiUrl(['run:1'], reader)), 'too_many_connections');

    open[0]!.close();
    await expect.poll(openCount).toBe(MAX_CONNECTIONS_PER_IP - 1);
    const reopened = await SseTestClient.open(streamUrl('run:1', reader));
    await reopened.waitUntil(() => reopened.named('live').length === 1);
    for (const client of [...open, reopened]) client.close();
  });

  it('counts SSE responses and WebSockets against one per-IP limit', async () => {
    await expect.poll(openCount).toBe(0);
    const sse = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_IP }, () => SseTestClient.open(streamUrl('run:1', reader))),
    );
    const wsRefusal = await openRefusedWebSocket(server.url, { token: reader });
    expectRefusal(wsRefusal, 'too_many_connections');
    for (const client of sse) client.close();

    await expect.poll(openCount).toBe(0);
    const sockets = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS_PER_IP }, () => WsTestClient.open(server.url, { token: reader })),
    );
    expectRefusal(await requestRefusedSse(streamUrl('run:1', reader)), 'too_many_connections');
    for (const socket of sockets) socket.close();
    await Promise.all(sockets.map((socket) => socket.closed));
  });

  it('ends an event stream when its token expires, so the reconnect must bring a valid one', async () => {
    const shortLived = await signTestToken({ read: ['run:*'] }, { expiresInSeconds: 1 });
    const expiring = [
      await SseTestClient.open(streamUrl('run:1', shortLived)),
      await SseTestClient.open(multiUrl(['run:1', 'run:2'], shortLived)),
    ];
    await Promise.all(expiring.map((client) => client.ended));
    for (const client of expiring) expect(client.named('live').length).toBeGreaterThan(0);
    const lasting = await SseTestClient.open(streamUrl('run:1', reader));
    await lasting.waitUntil(() => lasting.named('live').length === 1);
    expect(lasting.isEnded).toBe(false);
    lasting.close();
    expectRefusal(await requestRefusedSse(streamUrl('run:1', shortLived)), 'token_expired');
  });
});

describe('SSE during shutdown', () => {
  it('answers new SSE requests with 503 shutting_down once shutdown has begun', async () => {
    const server = await startLiveTestServer();
    try {
      await server.herald.context.shutdown.run();
      expectRefusal(await requestRefusedSse(`${server.url}/v1/streams/run:1/events`), 'shutting_down');
      expectRefusal(await requestRefusedSse(`${server.url}/v1/sse?stream=run:1&stream=run:2`), 'shutting_down');
    } finally {
      await server.close();
    }
  });
});
