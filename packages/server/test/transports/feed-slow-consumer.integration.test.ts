/**
 * A live feed whose client stops reading costs bounded memory: its follower reads the log only
 * while the connection has room (FeedSink.ready: under half of maxBufferedBytes queued), so the
 * backlog never passes the bound, nothing is cut or lost, and the feed carries on, in order, once
 * the client reads again (issue 16 part 1: slow consumers as on per-stream wires).
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LiveTestServer, startSlowConsumerTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

const MAX_BUFFERED_BYTES = 256 * 1024;
const EVENT_DATA = 'x'.repeat(16 * 1024);
/**
 * Matching events are published until the server holds a backlog (loopback's kernel buffers absorb
 * several MiB first), then this many more: the follower has to stop reading meanwhile.
 */
const EVENTS_AFTER_BACKLOG = 64;
/** Far more than the kernel buffers can absorb, so the backlog must build before this. */
const MAX_EVENTS = 2000;
/** Room for one event's fields, cursor and framing, in bytes. */
const FRAME_OVERHEAD_BYTES = 512;

let server: LiveTestServer;
let serverSockets: Map<number, Socket>;
beforeAll(async () => {
  ({ server, serverSockets } = await startSlowConsumerTestServer(MAX_BUFFERED_BYTES));
});
afterAll(async () => {
  await server.close();
});

/**
 * Publishes big matching events (each with one of another batch) until the server's end of the
 * connection holds a backlog, then EVENTS_AFTER_BACKLOG more, sampling the backlog; resolves how
 * many matching events were published and the peak backlog.
 */
async function publishSampling(batchId: string, serverSocket: Socket): Promise<{ count: number; peak: number }> {
  let peak = 0;
  let count = 0;
  let remaining = EVENTS_AFTER_BACKLOG;
  while (remaining > 0) {
    if (count >= MAX_EVENTS) throw new Error('the server never held a backlog');
    await server.publish(`job:${count % 4}`, [
      { type: 'chunk', data: EVENT_DATA, tags: { batchId } },
      { type: 'chunk', data: EVENT_DATA, tags: { batchId: 'other' } },
    ]);
    count += 1;
    await new Promise((resolve) => setImmediate(resolve));
    peak = Math.max(peak, serverSocket.writableLength);
    if (peak > 0) remaining -= 1;
  }
  return { count, peak };
}

function serverSocketOf(clientSocket: Socket): Socket {
  const socket = serverSockets.get(clientSocket.localPort!);
  if (!socket) throw new Error(`no server socket for client port ${clientSocket.localPort}`);
  return socket;
}

it('holds a WebSocket feed whose client stops reading under the bound, then delivers every event in order', async () => {
  const slow = await WsTestClient.open(server.url);
  slow.send({ op: 'follow', feed: 'slow', filter: { tags: { batchId: 'ws' } } });
  await slow.waitFor((frame) => frame.op === 'feed_live');
  const clientSocket = (slow.socket as unknown as { _socket: Socket })._socket;
  clientSocket.pause();
  const { count, peak } = await publishSampling('ws', serverSocketOf(clientSocket));
  expect(peak).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + EVENT_DATA.length + FRAME_OVERHEAD_BYTES);
  clientSocket.resume();
  const events = () => slow.frames.filter((frame) => frame.op === 'feed_event');
  await slow.waitFor(() => events().length === count, 20_000);
  const streams = events().map((frame) => (frame.op === 'feed_event' ? frame.event.stream : ''));
  expect(streams).toEqual(Array.from({ length: count }, (_, n) => `job:${n % 4}`));
  slow.socket.close();
});

it('holds an SSE feed whose client stops reading under the bound, then delivers every event in order', async () => {
  const slow = await SseTestClient.open(`${server.url}/v1/events?tag.batchId=sse`);
  await slow.waitUntil(() => slow.named('live').length === 1);
  slow.response!.pause();
  const { count, peak } = await publishSampling('sse', serverSocketOf(slow.request.socket!));
  expect(peak).toBeLessThanOrEqual(MAX_BUFFERED_BYTES + EVENT_DATA.length + FRAME_OVERHEAD_BYTES);
  slow.response!.resume();
  const events = () => slow.messages.filter((message) => message.event === 'message');
  await slow.waitUntil(() => events().length === count, 20_000);
  const streams = events().map((message) => (JSON.parse(message.data) as { stream: string }).stream);
  expect(streams).toEqual(Array.from({ length: count }, (_, n) => `job:${n % 4}`));
  slow.close();
});
