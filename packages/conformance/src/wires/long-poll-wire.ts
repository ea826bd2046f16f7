import { applyEventsPage, fetchEventsPage } from './events-pages.js';
import { defineWire, WireSubscriber } from './wire.js';

/** How long each long-poll is held, in seconds: short, so a test's silence ends quickly. */
const HOLD_SECONDS = 5;

/** `GET /v1/streams/{stream}/events?after=&wait=`: one held request after another, each from the position. */
class LongPollSubscriber extends WireSubscriber {
  #abort = new AbortController();

  async connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    void this.#poll(abort.signal);
  }

  protected disconnect(): void {
    this.#abort.abort();
  }

  async #poll(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.isFinal) {
      try {
        // Catch up at once, then hold: a poll with nothing to return waits for the next event.
        const waitSeconds = this.isLive ? HOLD_SECONDS : undefined;
        applyEventsPage(this, await fetchEventsPage(this, { ...(waitSeconds ? { waitSeconds } : {}), signal }));
      } catch (error) {
        if (signal.aborted) return;
        this.recordFailure(error);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}

export const longPollWire = defineWire('longpoll', LongPollSubscriber);
