import type { StreamSnapshot } from '@herald/protocol';
import { describe, expect, it, vi } from 'vitest';
import { DeliveredEvent } from '../../src/fanout/delivered-event.js';
import type { LiveConnection } from '../../src/transports/live-connection.js';
import { type FrameEncoder, LiveSink, type LiveSinkOwner } from '../../src/transports/live-sink.js';

const STREAM = 'run:1';

function eventAt(seq: number, isFinal = false): DeliveredEvent {
  const event = { stream: STREAM, seq, type: 'step', ...(isFinal ? { final: true } : {}) };
  return new DeliveredEvent({ stream: STREAM, seq, json: JSON.stringify(event) }, 'e1');
}

/** Frames as readable text; `withFinal`: the wire has a `final` frame (SSE), else not (WebSocket). */
function textEncoder(withFinal: boolean): FrameEncoder {
  const encoder: FrameEncoder = {
    opened: (stream) => Buffer.from(`opened ${stream}`),
    reset: (notice) => Buffer.from(`reset ${notice.reason}`),
    event: (_stream, event) => Buffer.from(`event ${event.seq}`),
    live: (_stream, seq) => Buffer.from(`live ${seq}`),
  };
  return withFinal ? { ...encoder, final: (_stream, seq) => Buffer.from(`final ${seq}`) } : encoder;
}

function openSink(withFinal: boolean) {
  const frames: string[] = [];
  const connection = {
    isClosed: false,
    write: (bytes: Buffer) => frames.push(bytes.toString()),
    ready: () => undefined,
  } as unknown as LiveConnection;
  const owner = { finished: vi.fn(), failed: vi.fn() } satisfies LiveSinkOwner;
  const sink = new LiveSink(connection, STREAM, textEncoder(withFinal), owner);
  return { frames, owner, sink, connection };
}

describe('LiveSink', () => {
  it('writes each call of the subscription as the encoder frames it', () => {
    const { frames, sink } = openSink(true);
    sink.opened({ stream: STREAM } as StreamSnapshot);
    sink.reset({ stream: STREAM, reason: 'truncated', epoch: 'e1', seq: 3, firstSeq: 2, state: {} });
    sink.event(eventAt(2));
    sink.live(2, false);
    expect(frames).toEqual([`opened ${STREAM}`, 'reset truncated', 'event 2', 'live 2']);
  });

  it('finishes at the final event on a wire with a final frame, saying live first, and writes nothing after', () => {
    const { frames, owner, sink } = openSink(true);
    sink.event(eventAt(1));
    sink.event(eventAt(2, true));
    sink.live(2, true);
    // Caught up at the final event: live, then final (a raw EventSource waiting for live hears it).
    expect(frames).toEqual(['event 1', 'event 2', 'live 2', 'final 2']);
    expect(owner.finished).toHaveBeenCalledOnce();
  });

  it('finishes at live on a wire without a final frame, so the client hears that it caught up', () => {
    const { frames, owner, sink } = openSink(false);
    sink.event(eventAt(2, true));
    expect(owner.finished).not.toHaveBeenCalled();
    sink.live(2, false);
    expect(frames).toEqual(['event 2', 'live 2']);
    expect(owner.finished).toHaveBeenCalledOnce();
  });

  it('finishes a live final stream whose final event went by before', () => {
    const { frames, owner, sink } = openSink(true);
    sink.live(7, true);
    expect(frames).toEqual(['live 7', 'final 7']);
    expect(owner.finished).toHaveBeenCalledOnce();
  });

  it('reports a failure to its owner once, and nothing once closed', () => {
    const { owner, sink, frames } = openSink(true);
    const error = new Error('log down');
    sink.failed(error);
    sink.failed(error);
    sink.event(eventAt(1));
    expect(owner.failed).toHaveBeenCalledExactlyOnceWith(sink, error);
    expect(frames).toEqual([]);
  });

  it('writes nothing once its connection has closed', () => {
    const { frames, sink, connection } = openSink(true);
    (connection as { isClosed: boolean }).isClosed = true;
    sink.event(eventAt(1));
    expect(frames).toEqual([]);
    expect(sink.ready()).toBeUndefined();
  });
});
