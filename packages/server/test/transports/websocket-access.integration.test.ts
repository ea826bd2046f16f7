import type { ServerFrame } from '@herald/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { WsTestClient } from '../support/ws-test-client.js';

const isError = (frame: ServerFrame): frame is Extract<ServerFrame, { op: 'error' }> => frame.op === 'error';

describe('access checks', () => {
  let server: LiveTestServer;
  beforeAll(async () => {
    server = await startLiveTestServer({
      jwt: { secret: TEST_JWT_SECRET },
      corsOrigins: ['https://app.example'],
      limits: { maxConnectionsPerIp: 3, publishRatePerSecond: 1, publishBurst: 2 },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a bad token and a foreign Origin before the handshake', async () => {
    await expect(WsTestClient.open(server.url, { token: 'not-a-jwt' })).rejects.toThrow('HTTP 401');
    const expired = await signTestToken({ read: ['*'] }, { expiresInSeconds: -10 });
    await expect(WsTestClient.open(server.url, { token: expired })).rejects.toThrow('HTTP 401');
    await expect(WsTestClient.open(server.url, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    const allowed = await WsTestClient.open(server.url, { origin: 'https://app.example' });
    allowed.close();
  });

  it('refuses connections beyond the per-IP limit with 429', async () => {
    const open = await Promise.all([1, 2, 3].map(() => WsTestClient.open(server.url)));
    await expect(WsTestClient.open(server.url)).rejects.toThrow('HTTP 429');
    for (const client of open) client.close();
    await Promise.all(open.map((client) => client.closed));
  });

  it('checks every sub and pub against the token: unauthorized, forbidden, then allowed after auth', async () => {
    const client = await WsTestClient.open(server.url);
    const anonymous = client.send({ op: 'sub', stream: 'run:1' });
    expect(await client.reply(anonymous)).toMatchObject({ op: 'error', code: 'unauthorized', stream: 'run:1' });
    client.send({ op: 'auth', token: await signTestToken({ read: ['run:*'], publish: ['run:1'] }) });
    const allowed = client.send({ op: 'sub', stream: 'run:1' });
    expect(await client.reply(allowed)).toMatchObject({ op: 'subscribed', stream: 'run:1' });
    const forbidden = client.send({ op: 'sub', stream: 'org:acme' });
    expect(await client.reply(forbidden)).toMatchObject({ op: 'error', code: 'forbidden', stream: 'org:acme' });
    const pubForbidden = client.send({ op: 'pub', stream: 'run:2', event: { type: 'x' } });
    expect(await client.reply(pubForbidden)).toMatchObject({ op: 'error', code: 'forbidden' });
    client.close();
  });

  it('drops the streams a replacement token no longer covers', async () => {
    const client = await WsTestClient.open(server.url, { token: await signTestToken({ read: ['run:*', 'org:*'] }) });
    client.send({ op: 'sub', stream: 'org:acme' });
    await client.waitFor((frame) => frame.op === 'subscribed');
    client.send({ op: 'auth', token: await signTestToken({ read: ['run:*'] }) });
    expect(await client.waitFor(isError)).toMatchObject({ code: 'forbidden', stream: 'org:acme' });
    client.close();
  });

  it('answers publishes over the rate with rate_limited', async () => {
    const client = await WsTestClient.open(server.url, { token: await signTestToken({ publish: ['*'] }) });
    const refs = [1, 2, 3].map(() => client.send({ op: 'pub', stream: 'run:rate', event: { type: 'x' } }));
    const replies = await Promise.all(refs.map((ref) => client.reply(ref)));
    expect(replies.map((reply) => (reply.op === 'error' ? reply.code : reply.op))).toEqual([
      'ack',
      'ack',
      'rate_limited',
    ]);
    client.close();
  });

  it('closes with 4001 when the token expires, unless it was replaced in time', async () => {
    const shortLived = await signTestToken({ read: ['*'] }, { expiresInSeconds: 1 });
    const expiring = await WsTestClient.open(server.url, { token: shortLived });
    const renewed = await WsTestClient.open(server.url, { token: shortLived });
    renewed.send({ op: 'auth', token: await signTestToken({ read: ['*'] }, { expiresInSeconds: 60 }) });
    expect(await expiring.closed).toEqual({ code: 4001, reason: 'token expired' });
    const ping = renewed.send({ op: 'ping' });
    expect(await renewed.reply(ping)).toEqual({ op: 'pong', ref: ping });
    renewed.close();
  });
});

describe('shutdown', () => {
  it('acknowledges in-flight publishes, then closes every WebSocket with 1012', async () => {
    const server = await startLiveTestServer();
    const subscriber = await WsTestClient.open(server.url);
    subscriber.send({ op: 'sub', stream: 'run:down' });
    await subscriber.waitFor((frame) => frame.op === 'live');
    // Hold the append so that the publish is still in flight when shutdown begins.
    const log = server.herald.context.log;
    const append = log.append.bind(log);
    let release!: () => void;
    const isReleased = new Promise<void>((resolve) => {
      release = resolve;
    });
    const isAppending = new Promise<void>((resolve) => {
      log.append = async (entries) => {
        resolve();
        await isReleased;
        return append(entries);
      };
    });
    const publisher = await WsTestClient.open(server.url);
    const ref = publisher.send({ op: 'pub', stream: 'run:down', event: { type: 'last' } });
    await isAppending;
    const closing = server.close();
    setTimeout(release, 50);
    expect(await publisher.reply(ref)).toMatchObject({ op: 'ack', seq: 1 });
    expect((await publisher.closed).code).toBe(1012);
    expect((await subscriber.closed).code).toBe(1012);
    expect(subscriber.seqsOf('run:down')).toEqual([1]);
    await closing;
  });
});
