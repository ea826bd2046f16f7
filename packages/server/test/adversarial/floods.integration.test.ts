import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../support/http-json.js';
import { signTestToken, TEST_JWT_SECRET } from '../support/jwt.js';
import { seqRange } from '../support/live-subscriber.js';
import { type StoreTestServer, startStoreTestServer } from '../support/store-test-server.js';
import { DURABLE_TEST_STORES } from '../support/test-stores.js';
import { WsTestClient } from '../support/ws-test-client.js';

const MAX_BUFFERED_BYTES = 128 * 1024;
const EVENT_DATA = 'x'.repeat(16 * 1024);
/** Far more than loopback's kernel buffers absorb, so only the server's bound can stop the stalled client. */
const MAX_EVENTS = 3000;
/** A generous bound on a loaded 2-core machine: the point is "not queued behind the flood", not speed. */
const UNDELAYED_PUBLISH_MS = 5000;

describe.each(DURABLE_TEST_STORES)('slow readers and floods on $name', (store) => {
  let server: StoreTestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('cuts a WebSocket client that never reads with 4008 while another on the same stream gets every event', async () => {
    server = await startStoreTestServer(
      store,
      {},
      { maxBufferedBytes: MAX_BUFFERED_BYTES, slowConsumerCloseTimeoutMs: 20_000 },
    );
    const stream = 'run:flooded';
    // Only the stalled client reads the marker stream: its channel goes once the server cuts that client.
    const marker = 'run:stalled-marker';
    const slow = await WsTestClient.open(server.url);
    const healthy = await WsTestClient.open(server.url);
    for (const [client, streams] of [
      [slow, [stream, marker]],
      [healthy, [stream]],
    ] as const) {
      for (const name of streams) {
        client.send({ op: 'sub', stream: name });
        await client.waitFor((frame) => frame.op === 'live' && frame.stream === name);
      }
    }
    const { hub, publisher } = server.herald.context;
    expect(hub.channelCount).toBe(2);
    const slowSocket = (slow.socket as unknown as { _socket: Socket })._socket;
    slowSocket.pause();
    let head = 0;
    while (hub.channelCount === 2) {
      if (head >= MAX_EVENTS) throw new Error('the stalled client was never cut');
      const outcome = await publisher.publish(seqRange(1, 4).map(() => ({ stream, type: 'chunk', data: EVENT_DATA })));
      head = outcome.heads[0]!.seq;
      // The healthy client keeps up with every burst while the stalled one falls behind.
      await healthy.waitUntil(() => healthy.seqsOf(stream).length === head);
      await new Promise((resolve) => setImmediate(resolve));
    }
    slowSocket.resume();
    expect((await slow.closed).code).toBe(4008);
    expect(healthy.seqsOf(stream)).toEqual(seqRange(1, head));
    const pong = await healthy.reply(healthy.send({ op: 'ping' }));
    expect(pong).toMatchObject({ op: 'pong' });
    healthy.close();
  });

  it("does not let one publisher's flood throttle or hold up another's publish", async () => {
    server = await startStoreTestServer(store, { jwt: { secret: TEST_JWT_SECRET } });
    const flooder = await signTestToken({ publish: ['*'] }, { subject: 'flooder' });
    const other = await signTestToken({ publish: ['*'] }, { subject: 'other' });
    const url = `${server.url}/v1/streams`;
    let isFlooding = true;
    const floodStatuses: number[] = [];
    const flood = Promise.all(
      Array.from({ length: 10 }, async () => {
        while (isFlooding) {
          const response = await requestJson(`${url}/run:flood/events`, { body: { type: 'spam' }, token: flooder });
          floodStatuses.push(response.status);
        }
      }),
    );
    try {
      // Once the flooder is being refused, the other publisher must still get through at once.
      while (!floodStatuses.includes(429)) await new Promise((resolve) => setTimeout(resolve, 10));
      const startedAt = Date.now();
      const response = await requestJson(`${url}/run:other/events`, { body: { type: 'important' }, token: other });
      expect(response.status).toBe(201);
      expect(Date.now() - startedAt).toBeLessThan(UNDELAYED_PUBLISH_MS);
    } finally {
      isFlooding = false;
      await flood;
    }
  });
});
