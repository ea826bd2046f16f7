import { encodeSseCursor } from '@herald/protocol';
import { SseTestClient } from './sse-test-client.js';
import { WsTestClient } from './ws-test-client.js';

/** One subscriber to one or more streams, over whichever transport; what the conformance suite asserts on. */
export interface LiveSubscriber {
  /** Seqs received for `stream`, in order. */
  seqs(stream: string): number[];
  /** `live` notices received for `stream`: the seq each said the subscriber was caught up to. */
  lives(stream: string): number[];
  /** Reset notices received for `stream`. */
  resets(stream: string): { reason: string; seq: number; epoch: string | null; state: unknown }[];
  /** Whether the subscriber was told `stream` is final (SSE `event: final`, WebSocket final event). */
  hasFinal(stream: string): boolean;
  /** Heartbeats received (`: hb` or `{"op":"hb"}`). */
  heartbeats(): number;
  waitUntil(condition: () => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Where a subscriber starts on each stream (`after`), by stream. */
export type StartPositions = Record<string, number>;

/** A transport the conformance suite runs over. */
export interface TransportCase {
  name: 'websocket' | 'sse';
  /** Subscribes to every stream of `positions` on one connection. */
  subscribe(baseUrl: string, positions: StartPositions): Promise<LiveSubscriber>;
}

async function subscribeWebSocket(baseUrl: string, positions: StartPositions): Promise<LiveSubscriber> {
  const client = await WsTestClient.open(baseUrl);
  for (const [stream, after] of Object.entries(positions)) client.send({ op: 'sub', stream, after });
  return {
    seqs: (stream) => client.seqsOf(stream),
    lives: (stream) => client.framesOf(stream).flatMap((frame) => (frame.op === 'live' ? [frame.seq] : [])),
    resets: (stream) => client.framesOf(stream).flatMap((frame) => (frame.op === 'reset' ? [frame] : [])),
    hasFinal: (stream) => client.framesOf(stream).some((frame) => frame.op === 'event' && frame.final === true),
    heartbeats: () => client.frames.filter((frame) => frame.op === 'hb').length,
    waitUntil: (condition, timeoutMs) => client.waitUntil(condition, timeoutMs),
    close: () => client.close(),
  };
}

function sseUrl(baseUrl: string, positions: StartPositions): string {
  const streams = Object.keys(positions);
  if (streams.length === 1) {
    const [stream] = streams as [string];
    return `${baseUrl}/v1/streams/${encodeURIComponent(stream)}/events?after=${positions[stream]}`;
  }
  const query = streams.map((stream) => `stream=${encodeURIComponent(stream)}`).join('&');
  // The multi-stream cursor's wire form is opaque to clients; tests build one with the protocol's
  // encoder (a stream at 0 is left out, as the server never issues seq 0) to start mid-stream.
  const cursor = encodeSseCursor(streams.map((stream) => [stream, { seq: positions[stream] ?? 0 }] as const));
  return cursor === ''
    ? `${baseUrl}/v1/sse?${query}`
    : `${baseUrl}/v1/sse?${query}&cursor=${encodeURIComponent(cursor)}`;
}

async function subscribeSse(baseUrl: string, positions: StartPositions): Promise<LiveSubscriber> {
  const client = await SseTestClient.open(sseUrl(baseUrl, positions));
  const named = (event: string, stream: string) =>
    client
      .named(event)
      .map((message) => JSON.parse(message.data) as { stream: string; seq: number })
      .filter((data) => data.stream === stream);
  return {
    seqs: (stream) => client.seqs(stream),
    lives: (stream) => named('live', stream).map((data) => data.seq),
    resets: (stream) => named('reset', stream) as unknown as ReturnType<LiveSubscriber['resets']>,
    hasFinal: (stream) => named('final', stream).length > 0,
    heartbeats: () => client.raw.split(': hb\n\n').length - 1,
    waitUntil: (condition, timeoutMs) => client.waitUntil(condition, timeoutMs),
    close: () => client.close(),
  };
}

/** The transport matrix of the conformance suite (`describe.each(LIVE_TRANSPORTS)`). */
export const LIVE_TRANSPORTS: TransportCase[] = [
  { name: 'websocket', subscribe: subscribeWebSocket },
  { name: 'sse', subscribe: subscribeSse },
];

/** `[from, from + 1, …, to]` (empty when `to < from`). */
export function seqRange(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
