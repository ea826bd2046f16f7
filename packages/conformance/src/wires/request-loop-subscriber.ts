import { WireSubscriber } from './wire.js';

/** Pause after a failed round before the next, in ms: a client retrying a refused request does not spin. */
const FAILURE_PAUSE_MS = 200;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A wire that is a loop of HTTP requests (long-poll, ETag polling): `connect` starts the loop from
 * the position, `disconnect` aborts the request in flight, and the loop ends once the stream is
 * final. A failed round is recorded and retried, as a client would.
 */
export abstract class RequestLoopSubscriber extends WireSubscriber {
  #abort = new AbortController();
  /** Pause after every round, in ms (polling's interval; 0 for long-polls, which wait on the server). */
  protected readonly roundPauseMs: number = 0;

  async connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    void this.#loop(abort.signal);
  }

  protected disconnect(): void {
    this.#abort.abort();
  }

  /** One round: the request(s) that move the position on, feeding what they read to the subscriber. */
  protected abstract poll(signal: AbortSignal): Promise<void>;

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && !this.isFinal) {
      try {
        await this.poll(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.recordFailure(error);
        await pause(FAILURE_PAUSE_MS);
      }
      if (this.roundPauseMs > 0) await pause(this.roundPauseMs);
    }
  }
}
