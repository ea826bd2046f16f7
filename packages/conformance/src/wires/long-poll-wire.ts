import { applyEventsPage, fetchEventsPage } from './events-pages.js';
import { RequestLoopSubscriber } from './request-loop-subscriber.js';
import { defineWire } from './wire.js';

/** How long each long-poll is held, in seconds: short, so a test's silence ends quickly. */
const HOLD_SECONDS = 5;

/** `GET /v1/streams/{stream}/events?after=&wait=`: one held request after another, each from the position. */
class LongPollSubscriber extends RequestLoopSubscriber {
  protected async poll(signal: AbortSignal): Promise<void> {
    // Catch up at once, then hold: a poll with nothing to return waits for the next event.
    const waitSeconds = this.isLive ? HOLD_SECONDS : undefined;
    applyEventsPage(this, await fetchEventsPage(this, { ...(waitSeconds ? { waitSeconds } : {}), signal }));
  }
}

export const longPollWire = defineWire('longpoll', LongPollSubscriber);
