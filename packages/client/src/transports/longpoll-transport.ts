import { PerStreamTransport, type StreamLoop } from './per-stream-transport.js';
import type { TransportContext, TransportListener } from './transport.js';

/** How long the server may hold a long-poll, in s: below the 30–60 s idle timeouts of common proxies. */
export const LONG_POLL_WAIT_SECONDS = 25;

/**
 * Repeats `events?after=&wait=` for one stream until it is final. The first read does not wait: it
 * is the handshake (the server accepted the request) and the catch-up at once, so a probe of this
 * rung is judged within a round trip, not after a 25 s hold (status.ts).
 */
export const longPollStreamLoop: StreamLoop = async (stream, context, report, signal) => {
  let waitSeconds: number | undefined;
  while (!signal.aborted) {
    const page = await context.http.readEvents(stream, context.position(stream), waitSeconds, signal);
    waitSeconds = LONG_POLL_WAIT_SECONDS;
    report.opened();
    report.frame({ op: 'page', stream, page });
    if (page.final && !page.hasMore) return;
  }
};

/** One long-poll request loop per stream. */
export function createLongPollTransport(context: TransportContext, listener: TransportListener): PerStreamTransport {
  return new PerStreamTransport('longpoll', longPollStreamLoop, context, listener);
}
