import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seqRange } from '../support/live-subscriber.js';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

// A subscriber that stops reading must not grow the server's memory: once more than
// maxBufferedBytes stay queued it is cut (WebSocket 4008, SSE response destroyed), and resuming
// from its position loses nothing (G1, G2).

const MAX_BUFFERED_BYTES = 256 * 1024;
const EVENT_DATA = 'x'.repeat(16 * 1024);
/** Far more than loopback's kernel buffers can absorb, so only the server's bound can stop it. */
const MAX_EVENTS = 3000;

let server: LiveTestServer;
beforeAll(async () => {
  server = await startLiveTestServer({}, { maxBufferedBytes: MAX_BUFFERED_BYTES, slowConsumerCloseTimeoutMs: 20_000 });
});
afterAll(async () => {
  await server.close();
});

/** Publishes bursts of big events until the stream has no subscriber left on this node; resolves the head. */
async function publishUntilCut(stream: string): Promise<number> {
  let head = 0;
  while (server.herald.context.hub.channelCount > 0) {
    if (head >= MAX_EVENTS) throw new Error('the stalled subscriber was never cut');
    head = await server.publish(
      stream,
      seqRange(1, 8).map(() => ({ type: 'chunk', data: EVENT_DATA })),
    );
    await new Promise((resolve) => setImmediate(resolve));
  }
  return head;
}

it('closes a WebSocket that stops reading with 4008, and its resume loses nothing', async () => {
  const stream = 'run:slow-ws';
  const slow = await WsTestClient.open(server.url);
  slow.send({ op: 'sub', stream });
  await slow.waitFor((frame) => frame.op === 'live');
  const clientSocket = (slow.socket as unknown as { _socket: Socket })._socket;
  clientSocket.pause();

  const head = await publishUntilCut(stream);
  // Nothing is queued for the cut subscriber any more, however much is published.
  await server.publish(
    stream,
    seqRange(1, 8).map(() => ({ type: 'chunk', data: EVENT_DATA })),
  );
  clientSocket.resume();

  expect((await slow.closed).code).toBe(4008);
  const received = slow.seqsOf(stream);
  expect(received).toEqual(seqRange(1, received.length));
  expect(received.length).toBeLessThan(head);

  const resumed = await WsTestClient.open(server.url);
  resumed.send({ op: 'sub', stream, after: received.length });
  await resumed.waitFor((frame) => frame.op === 'live');
  expect(resumed.seqsOf(stream)).toEqual(seqRange(received.length + 1, head + 8));
  resumed.close();
});

it('destroys an SSE response that stops reading, and Last-Event-ID resumes it without loss', async () => {
  const stream = 'run:slow-sse';
  const url = `${server.url}/v1/streams/${stream}/events`;
  const slow = await SseTestClient.open(url);
  await slow.waitUntil(() => slow.named('live').length === 1);
  slow.response!.pause();

  const head = await publishUntilCut(stream);
  slow.response!.resume();
  await slow.ended;
  const received = slow.seqs();
  expect(received).toEqual(seqRange(1, received.length));
  expect(received.length).toBeLessThan(head);

  const resumed = await SseTestClient.open(url, { 'last-event-id': String(received.length) });
  await resumed.waitUntil(() => resumed.named('live').length === 1);
  expect(resumed.seqs()).toEqual(seqRange(received.length + 1, head));
  resumed.close();
});
