import { type EventsPage, HeraldError, QUERY_PARAMS, streamEventsPath, withQuery } from '@herald/protocol';
import { authHeaders } from '../target.js';
import type { WireSubscriber } from './wire.js';

/**
 * Reads the page of events after the subscriber's position (of its epoch, when it knows one);
 * with `waitSeconds`, a long-poll.
 */
export async function fetchEventsPage(
  subscriber: WireSubscriber,
  options: { waitSeconds?: number; signal: AbortSignal },
): Promise<EventsPage> {
  const path = withQuery(streamEventsPath(subscriber.stream), {
    [QUERY_PARAMS.after]: subscriber.position,
    [QUERY_PARAMS.epoch]: subscriber.epoch ?? undefined,
    [QUERY_PARAMS.wait]: options.waitSeconds,
  });
  const response = await fetch(`${subscriber.target.url}${path}`, {
    headers: authHeaders(subscriber.target),
    signal: options.signal,
  });
  const body = await response.json();
  if (response.status !== 200) throw HeraldError.fromBody(body, `${path} answered ${response.status}`);
  return body as EventsPage;
}

/**
 * Feeds one page to the subscriber as the protocol reads it: a reset first (the snapshot), then
 * the events, `live` once nothing more is held, `final` once the final event is behind the position.
 */
export function applyEventsPage(subscriber: WireSubscriber, page: EventsPage): void {
  if (page.reset) {
    subscriber.addReset({ epoch: page.epoch, seq: page.seq, firstSeq: page.firstSeq, state: page.state ?? null });
  }
  if (page.epoch !== null) subscriber.epoch = page.epoch;
  for (const event of page.events) subscriber.addEvent(event);
  if (!page.hasMore) subscriber.markLive();
  const isFinalBehind = page.final && !page.hasMore && subscriber.position >= page.seq;
  if (isFinalBehind) subscriber.markFinal();
}
