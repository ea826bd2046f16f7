import { HeraldError, type SseMessage, SseParser, type StreamSnapshot } from '@herald/protocol';
import { PerStreamTransport, type StreamLoop } from './per-stream-transport.js';
import type { TransportContext, TransportFrame, TransportListener } from './transport.js';

/** The frame an SSE message stands for (DESIGN "Server-Sent Events"); `undefined` for unknown or garbled ones. */
export function frameFromSseMessage(stream: string, message: SseMessage): TransportFrame | undefined {
  try {
    switch (message.event) {
      case 'message':
        return { op: 'event', ...JSON.parse(message.data) };
      case 'live':
        return { op: 'live', stream, seq: (JSON.parse(message.data) as { seq: number }).seq };
      case 'reset': {
        const snapshot = JSON.parse(message.data) as StreamSnapshot;
        const { epoch, seq, state } = snapshot;
        return { op: 'reset', stream, reason: 'truncated', epoch, seq, state };
      }
      case 'final':
        return { op: 'final', stream };
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** Reads one stream's SSE response over fetch (so it can send `Authorization`, in browsers and Node). */
export const sseStreamLoop: StreamLoop = async (stream, context, report, signal) => {
  const response = await context.http.openEventStream(stream, context.position(stream), signal);
  // 204: the stream is final and the position is past its last event.
  if (response.status === 204) return;
  if (!response.body) throw new HeraldError('unavailable', 'the event stream has no body');
  report.opened();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  let isFinal = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // Any bytes, a comment heartbeat included, prove the stream is alive.
    report.frame({ op: 'hb', stream });
    for (const message of parser.push(decoder.decode(value, { stream: true }))) {
      const frame = frameFromSseMessage(stream, message);
      if (!frame) continue;
      if (frame.op === 'final') isFinal = true;
      report.frame(frame);
    }
  }
  if (!isFinal) throw new HeraldError('unavailable', 'the event stream ended');
};

/** One SSE response per stream. */
export function createSseTransport(context: TransportContext, listener: TransportListener): PerStreamTransport {
  return new PerStreamTransport('sse', sseStreamLoop, context, listener);
}
