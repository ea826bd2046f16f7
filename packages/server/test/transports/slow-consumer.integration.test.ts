import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seqRange } from '../support/live-subscriber.js';
import { type LiveTestServer, startSlowConsumerTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

// A subscriber that stops reading must not grow the server's memory: once more than
// maxBufferedBytes stay queued it is cut (WebSocket 4008, SSE response destroyed), and resuming
// from its position loses nothing (G1, G2).

const MAX_BUFFERED_BYTES = 256 * 1024;
const EVENT_DATA = 'x'.repeat(16 * 1024);
const EVENTS_PER_PUBLISH = 8;
/** Room for an event's JSON fields and its WebSocket / SSE (chunked encoding) framing, in bytes. */
const FRAME_OVERHEAD_BYTES = 512;
/**
 * What one tick may add to a backlog that was still under the bound when the tick began: every
 * frame of one publish (the loop below publishes one batch at a time), since the check runs at a
 * connection's first write of each tick (see isSlowConsumer).
 */
const ONE_TICK_BYTES = EVENTS_PER_PUBLISH * (EVENT_DATA.length + FRAME_OVERHEAD_BYTES);
/** Far more than loopback's kernel buffers can absorb, so only the server's bound can stop it. */
const MAX_EVENTS = 3000;

let server: LiveTestServer;
let serverSockets: Map<number, Socket>;
beforeAll(async () => {
  ({ server, serverSockets } = await startSlowConsumerTestServer(MAX_BUFFERED_BYTES));
});
afterAll(async () => {
  await server.close();
});

/** The server's end of the connection whose client end is `clientSocket`. */
function serverSocketOf(clientSocket: Socket): Socket {
  const socket = serverSockets.get(clientSocket.localPort!);
  if (!socket) throw new Error(`no server socket for client port ${clientSocket.localPort}`);
  return socket;
}

/** Publishes one burst of big events; resolves the head. */
const publishBurst = (stream: string) =>
  server.publish(
    stream,
    seqRange(1, EVENTS_PER_PUBLISH).map(() => ({ type: 'chunk', data: EVENT_DATA })),
  );

/**
 * Publishes bursts of big events until the stream has no subscriber left on this node, then a few
 * more; resolves the head and the most bytes the server's end of `socket` held queued meanwhile.
 */
async function publishUntilCut(stream: string, socket: Socket): Promise<{ head: number; peakBufferedBytes: number }> {
  let head = 0;
  let peakBufferedBytes = 0;
  const sample = () => {
    peakBufferedBytes = Math.max(peakBufferedBytes, socket.writableLength);
  };
  while (server.herald.context.hub.channelCount > 0) {
    if (head >= MAX_EVENTS) throw new Error('the stalled subscriber was never cut');
    head = await publishBurst(stream);
    sample();
    await new Promise((resolve) => setImmediate(resolve));
    sample();
  }
  // Nothing is queued for the cut subscriber any more, however much is published.
  for (let burst = 0; burst < 4; burst++) {
    head = await publishBurst(stream);
    await new Promise((resolve) => setImmediate(resolve));
    sample();
  }
  return { head, peakBufferedBytes };
}

/** The backlog went past the bound (so the bound is what cut it), and never by more than one tick's frames. */
function expectBoundedBacklog(peakBufferedBytes: number): void {
  expect(peakBufferedBytes).toBeGreaterThan(MAX_BUFFERED_BYTES);
  expect(peakBufferedBytes).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + ONE_TICK_BYTES);
}

it('closes a WebSocket that stops reading with 4008 before its backlog passes the bound plus one tick, and its resume loses nothing', async () => {
  const stream = 'run:slow-ws';
  const slow = await WsTestClient.open(server.url);
  slow.send({ op: 'sub', stream });
  await slow.waitFor((frame) => frame.op === 'live');
  const clientSocket = (slow.socket as unknown as { _socket: Socket })._socket;
  clientSocket.pause();

  const { head, peakBufferedBytes } = await publishUntilCut(stream, serverSocketOf(clientSocket));
  expectBoundedBacklog(peakBufferedBytes);
  clientSocket.resume();

  expect((await slow.closed).code).toBe(4008);
  const received = slow.seqsOf(stream);
  expect(received).toEqual(seqRange(1, received.length));
  expect(received.length).toBeLessThan(head);

  const resumed = await WsTestClient.open(server.url);
  resumed.send({ op: 'sub', stream, after: received.length });
  await resumed.waitFor((frame) => frame.op === 'live');
  expect(resumed.seqsOf(stream)).toEqual(seqRange(received.length + 1, head));
  resumed.close();
});

it('destroys an SSE response that stops reading before its backlog passes the bound plus one tick, and Last-Event-ID resumes it without loss', async () => {
  const stream = 'run:slow-sse';
  const url = `${server.url}/v1/streams/${stream}/events`;
  const slow = await SseTestClient.open(url);
  await slow.waitUntil(() => slow.named('live').length === 1);
  slow.response!.pause();

  const { head, peakBufferedBytes } = await publishUntilCut(stream, serverSocketOf(slow.request.socket!));
  expectBoundedBacklog(peakBufferedBytes);
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
