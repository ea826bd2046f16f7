import { encodeSseControl, SSE_HEARTBEAT } from '@herald/protocol';
import type { ResetNotice } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import { memoizeLast } from './last-value-memo.js';
import type { FrameEncoder } from './live-sink.js';

/** `: hb`, shared by every SSE response. */
export const SSE_HEARTBEAT_BYTES = Buffer.from(SSE_HEARTBEAT);

/** An event's SSE chunk (`id: <seq>`) as bytes, encoded once however many responses it is written to. */
export const sseEventBytes = memoizeLast((event: DeliveredEvent) => Buffer.from(event.sseFrame));

/**
 * `event: reset`: the position is void; data is the snapshot at the head (`seq`, `state`). Its
 * `id:` (the position the events that follow start after, or a `/v1/sse` cursor holding it) moves
 * EventSource's Last-Event-ID too: a final stream whose history retention removed sends no event
 * after its reset, and a reconnect must find the client at its end (204), not reset it again.
 */
export function encodeSseReset(notice: ResetNotice, id: number | string = notice.firstSeq - 1): Buffer {
  const { stream, reason, epoch, seq, firstSeq, state } = notice;
  return Buffer.from(encodeSseControl('reset', JSON.stringify({ stream, reason, epoch, seq, firstSeq, state }), id));
}

/** `event: live`: everything up to `seq` was sent; what follows is live. */
export function encodeSseLive(stream: string, seq: number): Buffer {
  return Buffer.from(encodeSseControl('live', JSON.stringify({ stream, seq })));
}

/** `event: final`: the stream closed at `seq`; nothing more will follow for it. `id:` as for reset. */
export function encodeSseFinal(stream: string, seq: number, id: number | string = seq): Buffer {
  return Buffer.from(encodeSseControl('final', JSON.stringify({ stream, seq }), id));
}

/** The frames of a single-stream SSE response: stateless, so one encoder serves every response. */
export const SSE_FRAME_ENCODER: FrameEncoder = {
  opened: () => undefined,
  reset: (notice) => encodeSseReset(notice),
  event: (_stream, event) => sseEventBytes(event),
  live: encodeSseLive,
  final: (stream, seq) => encodeSseFinal(stream, seq),
};
