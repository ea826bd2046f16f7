/**
 * A client that stops reading during catch-up costs the server a bounded amount of memory on every
 * wire: the catch-up reads the log a bounded number of bytes at a time and waits for the
 * connection's buffer to drain before the next read, so a stalled reader holds at most about one
 * page plus its send buffer, not the stream's (or feed's) whole history (hostile review: 50 stalled
 * WebSocket followers of a 48 MB log took the heap from 48 MB to 1.5 GB). A reader that resumes
 * still gets every event once, in order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type LiveTestServer, startLiveTestServer } from '../support/live-test-server.js';
import { SseTestClient } from '../support/sse-test-client.js';
import { WsTestClient } from '../support/ws-test-client.js';

const STREAMS = 4;
const EVENTS_PER_STREAM = 80;
/** 4 × 80 events of 60 KB: about 19 MB of history, 4.8 MB per stream. */
const EVENT_DATA = 'x'.repeat(60_000);
/** Streams of MANY_EVENTS events each, all subscribed on one connection. */
const MANY_STREAMS = 80;
const MANY_EVENTS = 10;
/** Streams of 2 events each, all subscribed on one connection: more subscriptions than pages fit in a buffer. */
const WIDE_STREAMS = 300;
/** As many `wide:` streams as one `/v1/sse` response takes: its cursor must fit a Last-Event-ID header. */
const WIDE_SSE_STREAMS = 150;
const WIDE_EVENTS = 2;
/** Stalled readers opened per case. */
const READERS = 8;
/**
 * What the stalled readers may add to the heap, all together. Before the fix each one held a
 * whole page — a stream's 4.8 MB, a feed's 19 MB — so 8 of them held 38 MB to 150 MB.
 */
const MAX_HEAP_GROWTH_BYTES = 24 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let server: LiveTestServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'herald-catch-up-memory-'));
  // SQLite, as in production: each read makes new strings (the memory store hands out its own).
  server = await startLiveTestServer({ store: `sqlite:${dataDir}` });
  for (let s = 0; s < STREAMS; s++) {
    for (let n = 0; n < EVENTS_PER_STREAM; n += 20) {
      await server.publish(
        `big:${s}`,
        Array.from({ length: 20 }, () => ({ type: 't', data: { p: EVENT_DATA } })),
      );
    }
  }
  for (let s = 0; s < MANY_STREAMS; s++) {
    await server.publish(
      `many:${s}`,
      Array.from({ length: MANY_EVENTS }, () => ({ type: 't', data: { p: EVENT_DATA } })),
    );
  }
  for (let s = 0; s < WIDE_STREAMS; s++) {
    await server.publish(
      `wide:${s}`,
      Array.from({ length: WIDE_EVENTS }, () => ({ type: 't', data: { p: EVENT_DATA } })),
    );
  }
}, 60_000);
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function heapUsed(): number {
  gc();
  return process.memoryUsage().heapUsed;
}

/** An HTTP GET for an event stream whose client never reads the response. */
function stalledSse(path: string): Promise<() => void> {
  const { port } = new URL(server.url);
  const socket: Socket = net.connect(Number(port), '127.0.0.1');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  return Promise.resolve(() => socket.destroy());
}

/** A WebSocket that sends `frames`, then never reads again. */
async function stalledWs(frames: object | object[]): Promise<() => void> {
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/ws`);
  ws.on('error', () => {});
  await new Promise((resolve) => ws.once('open', resolve));
  for (const frame of [frames].flat()) ws.send(JSON.stringify(frame));
  (ws as unknown as { _socket: Socket })._socket.pause();
  return () => ws.terminate();
}

/** Opens READERS stalled readers, lets their catch-ups run, and resolves the heap they added. */
async function heapGrowthOf(open: () => Promise<() => void>): Promise<number> {
  const before = heapUsed();
  const closers = await Promise.all(Array.from({ length: READERS }, open));
  let peak = 0;
  for (let i = 0; i < 8; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    peak = Math.max(peak, heapUsed() - before);
  }
  for (const close of closers) close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return peak;
}

const cases: [string, () => Promise<() => void>][] = [
  ['WebSocket sub', () => stalledWs({ op: 'sub', stream: 'big:0', ref: 1 })],
  ['WebSocket follow', () => stalledWs({ op: 'follow', feed: 'f', filter: { prefix: 'big:' }, ref: 1 })],
  ['SSE of one stream', () => stalledSse('/v1/streams/big:0/events')],
  ['multi-stream SSE', () => stalledSse('/v1/sse?stream=big:0&stream=big:1')],
  ['SSE feed', () => stalledSse('/v1/events?prefix=big:')],
  // Each subscription reads its own pages: a connection must not hold one per subscription.
  [
    `WebSocket with ${MANY_STREAMS} subs`,
    () => stalledWs(Array.from({ length: MANY_STREAMS }, (_, s) => ({ op: 'sub', stream: `many:${s}`, ref: s + 1 }))),
  ],
  [
    `multi-stream SSE of ${MANY_STREAMS} streams`,
    () => stalledSse(`/v1/sse?${Array.from({ length: MANY_STREAMS }, (_, s) => `stream=many:${s}`).join('&')}`),
  ],
];

for (const [wire, open] of cases) {
  it(`holds bounded memory for ${READERS} stalled ${wire} readers during catch-up`, async () => {
    const growth = await heapGrowthOf(open);
    expect(growth).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
  }, 30_000);
}

/**
 * Bytes a stalled reader with WIDE_STREAMS subscriptions may make the server read from the log:
 * its send buffer (1 MiB), what the kernel's socket buffers take in before the reader's side is
 * full, and a page. A page read is held until it is sent or dropped, and the reads of one
 * connection's subscriptions run in the same turn (SQLite reads synchronously), so the bytes read
 * are the bytes held at once. Before the fix every subscription read its first page before it
 * waited for room: 300 pages of 120 KB, 36 MB per connection.
 */
const MAX_WIDE_READ_BYTES_PER_READER = 8 * 1024 * 1024;
/** Stalled readers opened per wide case. */
const WIDE_READERS = 3;

/** The JSON bytes the server reads from its log while `open`'s readers are stalled, per reader. */
async function logBytesReadPerReader(open: () => Promise<() => void>): Promise<number> {
  const log = server.herald.context.log;
  const readEvents = log.readEvents;
  let bytes = 0;
  log.readEvents = async (...args) => {
    const read = await readEvents.apply(log, args);
    for (const event of read.events) bytes += event.json.length;
    return read;
  };
  try {
    const closers = await Promise.all(Array.from({ length: WIDE_READERS }, open));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const close of closers) close();
  } finally {
    log.readEvents = readEvents;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  return bytes / WIDE_READERS;
}

const wideCases: [string, () => Promise<() => void>][] = [
  [
    `WebSocket with ${WIDE_STREAMS} subs`,
    () => stalledWs(Array.from({ length: WIDE_STREAMS }, (_, s) => ({ op: 'sub', stream: `wide:${s}`, ref: s + 1 }))),
  ],
  [
    `multi-stream SSE of ${WIDE_SSE_STREAMS} streams`,
    () => stalledSse(`/v1/sse?${Array.from({ length: WIDE_SSE_STREAMS }, (_, s) => `stream=wide:${s}`).join('&')}`),
  ],
];

for (const [wire, open] of wideCases) {
  it(`holds about a send buffer and one page for a stalled ${wire} reader, not a page per subscription`, async () => {
    const bytes = await logBytesReadPerReader(open);
    // Some were read: the response was served, not refused.
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(MAX_WIDE_READ_BYTES_PER_READER);
  }, 30_000);
}

/** How long a reader stays stalled mid catch-up before it reads again, in ms. */
const STALL_MS = 500;
const seqsUpTo = (count: number) => Array.from({ length: count }, (_, n) => n + 1);
/** The feed of every `big:` stream, in commit order: each stream's events were published in turn. */
const FEED_ORDER = Array.from({ length: STREAMS }, (_, s) =>
  seqsUpTo(EVENTS_PER_STREAM).map((seq) => `big:${s}/${seq}`),
).flat();
const stall = () => new Promise((resolve) => setTimeout(resolve, STALL_MS));

/** Opens an SSE reader that stops reading at once, reads again after STALL_MS, and resolves once `isDone`. */
async function resumedSse(path: string, isDone: (client: SseTestClient) => boolean): Promise<SseTestClient> {
  const client = await SseTestClient.open(`${server.url}${path}`);
  client.response!.pause();
  await stall();
  client.response!.resume();
  await client.waitUntil(() => isDone(client), 20_000);
  client.close();
  return client;
}

/** Opens a WebSocket that sends `frames`, stops reading, reads again after STALL_MS, and resolves once `isDone`. */
async function resumedWs(
  frames: Record<string, unknown> | Record<string, unknown>[],
  isDone: (client: WsTestClient) => boolean,
): Promise<WsTestClient> {
  const client = await WsTestClient.open(server.url);
  for (const frame of [frames].flat()) client.send(frame);
  const socket = (client.socket as unknown as { _socket: Socket })._socket;
  socket.pause();
  await stall();
  socket.resume();
  await client.waitUntil(() => isDone(client), 20_000);
  client.socket.close();
  return client;
}

function feedEventsOf(client: WsTestClient): string[] {
  return client.frames.flatMap((frame) =>
    frame.op === 'feed_event' ? [`${frame.event.stream}/${frame.event.seq}`] : [],
  );
}

it('delivers every event once, in order, to a WebSocket sub that stalled during catch-up', async () => {
  const client = await resumedWs({ op: 'sub', stream: 'big:0', ref: 1 }, (c) => c.frames.some((f) => f.op === 'live'));
  expect(client.seqsOf('big:0')).toEqual(seqsUpTo(EVENTS_PER_STREAM));
}, 30_000);

it('delivers every event once, in order, to a WebSocket follow that stalled during catch-up', async () => {
  const client = await resumedWs({ op: 'follow', feed: 'f', filter: { prefix: 'big:' }, ref: 1 }, (c) =>
    c.frames.some((f) => f.op === 'feed_live'),
  );
  expect(feedEventsOf(client)).toEqual(FEED_ORDER);
}, 30_000);

it('delivers every event once, in order, to SSE readers that stalled during catch-up', async () => {
  const [single, multi, feed] = await Promise.all([
    resumedSse('/v1/streams/big:0/events', (c) => c.named('live').length === 1),
    resumedSse('/v1/sse?stream=big:0&stream=big:1', (c) => c.named('live').length === 2),
    resumedSse('/v1/events?prefix=big:', (c) => c.named('live').length === 1),
  ]);
  expect(single.seqs()).toEqual(seqsUpTo(EVENTS_PER_STREAM));
  expect([multi.seqs('big:0'), multi.seqs('big:1')]).toEqual([
    seqsUpTo(EVENTS_PER_STREAM),
    seqsUpTo(EVENTS_PER_STREAM),
  ]);
  const feedEvents = feed
    .named('message')
    .map((message) => JSON.parse(message.data) as { stream: string; seq: number });
  expect(feedEvents.map((event) => `${event.stream}/${event.seq}`)).toEqual(FEED_ORDER);
}, 30_000);

it(`delivers every event once, in order, to each of ${WIDE_STREAMS} subscriptions of a stalled WebSocket and ${WIDE_SSE_STREAMS} of a multi-stream SSE`, async () => {
  const wide = Array.from({ length: WIDE_STREAMS }, (_, s) => `wide:${s}`);
  const wideSse = wide.slice(0, WIDE_SSE_STREAMS);
  const [ws, sse] = await Promise.all([
    resumedWs(
      wide.map((stream, s) => ({ op: 'sub', stream, ref: s + 1 })),
      (c) => c.frames.filter((f) => f.op === 'live').length === WIDE_STREAMS,
    ),
    resumedSse(
      `/v1/sse?${wideSse.map((stream) => `stream=${stream}`).join('&')}`,
      (c) => c.named('live').length === WIDE_SSE_STREAMS,
    ),
  ]);
  expect(wide.map((stream) => ws.seqsOf(stream))).toEqual(wide.map(() => seqsUpTo(WIDE_EVENTS)));
  expect(wideSse.map((stream) => sse.seqs(stream))).toEqual(wideSse.map(() => seqsUpTo(WIDE_EVENTS)));
}, 30_000);
