import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerFrame } from '@herald/protocol';
import { createHerald, type Herald } from '@herald/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../src/auth/authenticator.js';
import { FeedWakeups } from '../../src/fanout/feed-wakeups.js';
import { LiveConnections } from '../../src/transports/live-connections.js';
import { resolveTransportOptions } from '../../src/transports/transport-options.js';
import { WebSocketTransport } from '../../src/transports/websocket-transport.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { WsTestClient } from '../support/ws-test-client.js';

// Finding 1: after several `auth` frames in a row, each later frame must be judged with the token
// of the last `auth` before it. The first token's verification is made slow so that the frames
// behind it are certainly waiting when it ends: that is when the old queue let them through early.

const API_KEY = 'auth-order-api-key';
const SLOW_VERIFICATION_MS = 60;
const ITERATIONS = 10;

interface OrderedAuthServer {
  url: string;
  herald: Herald;
  slowTokens: Set<string>;
  close(): Promise<void>;
}

/** Herald's WebSocket transport on its own HTTP server, with an authenticator that delays `slowTokens`. */
async function startOrderedAuthServer(): Promise<OrderedAuthServer> {
  const herald = await createHerald({
    host: '127.0.0.1',
    port: 0,
    store: 'memory:',
    logLevel: 'silent',
    apiKey: API_KEY,
    jwt: { secret: TEST_JWT_SECRET },
  });
  const { context } = herald;
  const slowTokens = new Set<string>();
  const authenticate: Authenticator = async (token) => {
    if (token !== undefined && slowTokens.has(token)) {
      await new Promise((resolve) => setTimeout(resolve, SLOW_VERIFICATION_MS));
    }
    return context.authenticate(token);
  };
  const options = resolveTransportOptions({ heartbeatIntervalMs: 60_000 });
  const live = new LiveConnections(
    {
      shutdown: context.shutdown,
      connections: context.limits.connections,
      publisher: context.publisher,
      gauge: context.metrics.connections,
    },
    options,
  );
  const server: Server = createServer();
  new WebSocketTransport({
    ...context,
    authenticate,
    live,
    wakeups: new FeedWakeups(context),
    corsOrigins: [],
    proxyTrust: context.limits.proxyTrust,
    slowConsumerCloseTimeoutMs: options.slowConsumerCloseTimeoutMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    maxFeedStreams: context.limits.maxSubscriptionsPerConnection,
    maxFrameBytes: 1 << 20,
  }).attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    herald,
    slowTokens,
    async close() {
      // Herald's shutdown closes `live` (it joined the shutdown hooks), so the HTTP server can close.
      await herald.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function replyTo(client: WsTestClient, ref: number): Promise<ServerFrame> {
  return client.waitFor((frame) => 'ref' in frame && frame.ref === ref);
}

describe('WebSocket auth frames in a row', () => {
  let server: OrderedAuthServer;
  let readA: string;
  let everything: string;
  let onlyC: string;

  beforeAll(async () => {
    server = await startOrderedAuthServer();
    readA = await signTestToken({ read: ['a:*'] });
    everything = await signTestToken({ read: ['*'], publish: ['*'] });
    onlyC = await signTestToken({ read: ['c:*'], publish: ['c:*'] });
    await server.herald.context.publisher.publish([{ stream: 'b:secret', type: 'secret', data: { n: 1 } }]);
  });

  afterAll(() => server?.close());

  async function afterAuths(tokens: string[], frame: Record<string, unknown>) {
    const client = await WsTestClient.open(server.url, { token: readA });
    try {
      for (const token of tokens) client.send({ op: 'auth', token });
      const ref = client.send(frame);
      const reply = await replyTo(client, ref);
      // Whatever else was going to arrive for the stream has had time to.
      client.send({ op: 'ping', ref: 1000 });
      await replyTo(client, 1000);
      return { reply, leaked: client.frames.filter((f) => f.op === 'event' && f.stream === 'b:secret').length };
    } finally {
      client.socket.close();
    }
  }

  it('judges a sub by the last of several tokens, not the first', async () => {
    server.slowTokens.add(everything);
    for (let i = 0; i < ITERATIONS; i++) {
      const { reply, leaked } = await afterAuths([everything, onlyC], { op: 'sub', stream: 'b:secret' });
      expect(reply).toMatchObject({ op: 'error', code: 'forbidden' });
      expect(leaked).toBe(0);
    }
  });

  it('judges a pub by the last of several tokens, not the first', async () => {
    server.slowTokens.add(everything);
    for (let i = 0; i < ITERATIONS; i++) {
      const { reply } = await afterAuths([everything, onlyC], { op: 'pub', stream: 'race:x', event: { type: 't' } });
      expect(reply).toMatchObject({ op: 'error', code: 'forbidden' });
    }
  });

  it('grants a sub the rights of a later token as soon as it is verified', async () => {
    server.slowTokens.add(onlyC);
    for (const later of [API_KEY, everything]) {
      for (let i = 0; i < ITERATIONS; i++) {
        const { reply } = await afterAuths([onlyC, later], { op: 'sub', stream: 'b:secret' });
        expect(reply).toMatchObject({ op: 'subscribed', stream: 'b:secret' });
      }
    }
  });

  it('grants a pub the rights of a later token as soon as it is verified', async () => {
    server.slowTokens.add(onlyC);
    for (let i = 0; i < ITERATIONS; i++) {
      const { reply } = await afterAuths([onlyC, API_KEY], { op: 'pub', stream: 'race:x', event: { type: 't' } });
      expect(reply).toMatchObject({ op: 'ack', stream: 'race:x' });
    }
  });

  it('keeps the previous token when an auth in the middle of a row is rejected', async () => {
    server.slowTokens.add(onlyC);
    for (let i = 0; i < ITERATIONS; i++) {
      const { reply } = await afterAuths([onlyC, everything, 'not-a-token'], { op: 'sub', stream: 'b:secret' });
      expect(reply).toMatchObject({ op: 'subscribed', stream: 'b:secret' });
    }
  });

  it('answers a bad frame sent behind an auth after the frames before it', async () => {
    server.slowTokens.add(everything);
    const client = await WsTestClient.open(server.url, { token: readA });
    client.send({ op: 'auth', token: everything });
    const ping = client.send({ op: 'ping' });
    client.send('{"op":"dance","ref":500}');
    await client.reply(500);
    const replies = client.frames.filter((frame) => 'ref' in frame && (frame.ref === ping || frame.ref === 500));
    expect(replies.map((frame) => frame.op)).toEqual(['pong', 'error']);
    client.socket.close();
  });

  it('holds for a long row of auth frames, whichever token is slow', async () => {
    server.slowTokens.add(everything).add(onlyC);
    const row = [onlyC, everything, onlyC, API_KEY, everything, onlyC];
    const { reply, leaked } = await afterAuths(row, { op: 'sub', stream: 'b:secret' });
    expect(reply).toMatchObject({ op: 'error', code: 'forbidden' });
    expect(leaked).toBe(0);
  });
});
