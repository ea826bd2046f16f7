import { HeraldError } from '@herald/protocol';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { ChannelAttachment, Hub } from '../fanout/hub.js';
import type { ChannelListener } from '../fanout/stream-channel.js';

/** Where an EventWait starts from: a read of `stream` after `after` that found nothing. */
export interface EventWaitOptions {
  hub: Hub;
  stream: string;
  after: number;
  /** The epoch that read saw: a different one on the channel ends the wait. */
  epoch: string | null;
  /** Longest hold, in ms. */
  waitMs: number;
}

/** Called once when an EventWait is over: with the error when its channel could not be attached. */
export type EventWaitEnd = (wait: EventWait, error?: unknown) => void;

/**
 * One idle long-poll's hold on its stream: over once the stream's channel delivers an event after
 * `after` (woken by the hub, not by polling the log), the stream's epoch changes, `waitMs` passes
 * or `wake()` is called; then `onOver` is called, once.
 *
 * Thousands wait at once on a busy node, each for up to a minute, so a wait is one object with one
 * timer and one function (`wake`, also the timer's callback and the listener callers add to a
 * response or a signal), and reports by callback: no promise, AbortSignal or suspended async frame.
 */
export class EventWait implements ChannelListener {
  #after: number;
  #epoch: string | null;
  #onOver: EventWaitEnd;
  #timer: ReturnType<typeof setTimeout>;
  #attachment: ChannelAttachment | undefined;
  #isOver = false;

  constructor(options: EventWaitOptions, onOver: EventWaitEnd) {
    this.#after = options.after;
    this.#epoch = options.epoch;
    this.#onOver = onOver;
    this.#timer = setTimeout(this.wake, options.waitMs);
    options.hub.attach(options.stream, this).then(
      (attachment) => {
        if (this.#isOver) {
          attachment.detach();
          return;
        }
        this.#attachment = attachment;
        // Attached after the read that found nothing: a commit in between is already in the channel's head.
        if (attachment.head > this.#after || attachment.epoch !== this.#epoch) this.wake();
      },
      (error: unknown) => this.#end(error),
    );
  }

  /** Ends the wait now (client gone, shutdown); later calls do nothing. */
  readonly wake = (): void => this.#end(undefined);

  onEvent(event: DeliveredEvent): void {
    if (event.seq > this.#after) this.wake();
  }

  onEpochChange(): void {
    this.wake();
  }

  #end(error: unknown): void {
    if (this.#isOver) return;
    this.#isOver = true;
    clearTimeout(this.#timer);
    this.#attachment?.detach();
    this.#onOver(this, error);
  }
}

/** What a held long-poll's response must offer: its `close` event (the client went away). */
export interface ClosingResponse {
  on(event: 'close', listener: () => void): unknown;
}

/**
 * The long-polls of one server waiting for their streams' next events. Each ends early when its
 * response closes; `stop()` (shutdown) answers them all at once, and any that come later at once.
 * One registry rather than a listener per wait on the shutdown signal.
 */
export class LongPollWaits {
  #hub: Hub;
  #gauge: { inc(): void; dec(): void };
  /** Each wait's answer: what the route does once it is over. */
  #waiting = new Map<EventWait, (error?: unknown) => void>();
  #isStopped = false;
  #maxWaiting: number;
  #release: EventWaitEnd = (wait, error) => {
    const answer = this.#waiting.get(wait);
    this.#waiting.delete(wait);
    this.#gauge.dec();
    answer?.(error);
  };

  /** `gauge` counts the waiting polls (herald_long_polls_waiting); at most `maxWaiting` are held at once. */
  constructor(hub: Hub, gauge: { inc(): void; dec(): void }, maxWaiting = Number.POSITIVE_INFINITY) {
    this.#hub = hub;
    this.#gauge = gauge;
    this.#maxWaiting = maxWaiting;
  }

  /**
   * Holds `response` (see EventWait) until the wait is over or the response closes, then calls
   * `answer` once, never synchronously: with the error when the stream's channel could not be attached.
   * Throws `too_many_connections` (and holds nothing) when `maxWaiting` polls are already held.
   */
  hold(response: ClosingResponse, options: Omit<EventWaitOptions, 'hub'>, answer: (error?: unknown) => void): void {
    if (this.#isStopped) {
      queueMicrotask(answer);
      return;
    }
    if (this.#waiting.size >= this.#maxWaiting) {
      throw new HeraldError('too_many_connections', `the server holds at most ${this.#maxWaiting} long-polls`, {
        details: { limit: this.#maxWaiting },
      });
    }
    this.#gauge.inc();
    const wait = new EventWait({ hub: this.#hub, ...options }, this.#release);
    this.#waiting.set(wait, answer);
    // Not removed once over: the listener then does nothing, and goes with the response.
    response.on('close', wait.wake);
  }

  /** Answers every waiting long-poll now, and every later one at once (shutdown). */
  stop(): void {
    this.#isStopped = true;
    for (const wait of [...this.#waiting.keys()]) wait.wake();
  }
}
