import { PerStreamTransport, type StreamLoop } from './per-stream-transport.js';
import type { TransportContext, TransportListener } from './transport.js';

/** How long the server may hold a long-poll, in s: below the 30–60 s idle timeouts of common proxies. */
export const LONG_POLL_WAIT_SECONDS = 25;

/** Repeats `events?after=&wait=` for one stream until it is final. */
export const longPollStreamLoop: StreamLoop = async (stream, context, report, signal) => {
  while (!signal.aborted) {
    const page = await context.http.readEvents(stream, context.position(stream), LONG_POLL_WAIT_SECONDS, signal);
    report.opened();
    report.frame({ op: 'page', stream, page });
    if (page.final && !page.hasMore) return;
  }
};

/** One long-poll request loop per stream. */
export function createLongPollTransport(context: TransportContext, listener: TransportListener): PerStreamTransport {
  return new PerStreamTransport('longpoll', longPollStreamLoop, context, listener);
}
