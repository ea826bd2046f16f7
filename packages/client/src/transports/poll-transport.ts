import type { EventsPage } from '@herald/protocol';
import { PerStreamTransport, type StreamLoop, sleep } from './per-stream-transport.js';
import type { TransportContext, TransportListener } from './transport.js';

/**
 * Polls one stream's snapshot with `If-None-Match` (a `304` costs the server almost nothing) and
 * reads `events?after=` only when the snapshot changed; stops once the stream is final.
 */
export const pollStreamLoop: StreamLoop = async (stream, context, report, signal) => {
  let etag: string | null = null;
  while (!signal.aborted) {
    context.countPoll();
    const tagged = await context.http.readSnapshot(stream, etag, signal, true);
    report.opened();
    if (tagged === undefined) {
      report.frame({ op: 'hb', stream });
    } else {
      etag = tagged.etag;
      const position = context.position(stream);
      const { snapshot } = tagged;
      const hasNews = snapshot.seq > position.after || snapshot.epoch !== position.epoch || snapshot.final;
      if (hasNews) {
        let page: EventsPage;
        do {
          page = await context.http.readEvents(stream, context.position(stream), undefined, signal);
          report.frame({ op: 'page', stream, page });
        } while (page.hasMore && !signal.aborted);
        if (page.final) return;
      } else {
        report.frame({ op: 'hb', stream });
      }
    }
    await sleep(context.pollIntervalMs, signal);
  }
};

/** One ETag polling loop per stream. */
export function createPollTransport(context: TransportContext, listener: TransportListener): PerStreamTransport {
  return new PerStreamTransport('poll', pollStreamLoop, context, listener);
}
