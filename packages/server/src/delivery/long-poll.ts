import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { ChannelAttachment, Hub } from '../fanout/hub.js';
import type { ChannelListener } from '../fanout/stream-channel.js';
import type { EventLog, EventsRead } from '../log/event-log.js';

/** Options of `waitForEvents`. */
export interface WaitForEventsOptions {
  hub: Hub;
  log: EventLog;
  stream: string;
  after: number;
  limit: number;
  /** Longest hold, in ms; 0 answers at once. */
  waitMs: number;
  /** Aborts the wait (client gone, server shutting down): it then answers with what the log holds. */
  signal?: AbortSignal;
}

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

/**
 * One idle long-poll's hold on its stream: `done` resolves once the stream's channel delivers an
 * event after `after` (woken by the hub, not by polling the log), the stream's epoch changes,
 * `waitMs` passes or `wake()` is called; it rejects only if the channel cannot be attached.
 *
 * Thousands wait at once on a busy node, each for up to a minute, so a wait is one object with one
 * timer and one function (`wake`, which is also the timer's callback and the listener callers add
 * to a response or signal): no AbortSignal, closures per trigger or nested async frames.
 */
export class EventWait implements ChannelListener {
  /** Settles once the wait is over, whatever ended it. */
  readonly done: Promise<void>;
  #after: number;
  #epoch: string | null;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout>;
  #attachment: ChannelAttachment | undefined;
  #isOver = false;
  #onOver: ((wait: EventWait) => void) | undefined;

  /** `onOver` is called once when the wait ends (one function shared by many waits). */
  constructor(options: EventWaitOptions, onOver?: (wait: EventWait) => void) {
    this.#after = options.after;
    this.#epoch = options.epoch;
    this.#onOver = onOver;
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
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
      (error: unknown) => {
        this.#end();
        this.#reject(error);
      },
    );
  }

  /** Ends the wait now (client gone, shutdown); later calls do nothing. */
  readonly wake = (): void => {
    if (this.#end()) this.#resolve();
  };

  onEvent(event: DeliveredEvent): void {
    if (event.seq > this.#after) this.wake();
  }

  onEpochChange(): void {
    this.wake();
  }

  /** Releases the timer and the channel; returns whether this call ended the wait. */
  #end(): boolean {
    if (this.#isOver) return false;
    this.#isOver = true;
    clearTimeout(this.#timer);
    this.#attachment?.detach();
    this.#onOver?.(this);
    return true;
  }
}

/**
 * Long-poll read: answers at once when the stream holds events after `after` or is final;
 * otherwise holds (see EventWait) until a later event, an epoch change, `waitMs` or the signal,
 * then answers with what the log holds.
 */
export async function waitForEvents(options: WaitForEventsOptions): Promise<EventsRead> {
  const { hub, log, stream, after, limit, waitMs, signal } = options;
  const first = await log.readEvents(stream, after, limit);
  if (first.events.length > 0 || first.snapshot.final || waitMs <= 0 || signal?.aborted) return first;
  const wait = new EventWait({ hub, stream, after, epoch: first.snapshot.epoch, waitMs });
  // Removed afterwards: the signal may outlive this wait (a server-wide shutdown signal).
  signal?.addEventListener('abort', wait.wake, { once: true });
  try {
    await wait.done;
  } finally {
    signal?.removeEventListener('abort', wait.wake);
  }
  return log.readEvents(stream, after, limit);
}

/** What a held long-poll's response must offer: its `close` event (the client went away). */
export interface ClosingResponse {
  on(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * The long-polls of one server waiting for their streams' next events. Each ends early when its
 * response closes; `stop()` (shutdown) answers them all at once, and any that come later at once.
 * One registry rather than a listener per wait on the shutdown signal.
 */
export class LongPollWaits {
  #hub: Hub;
  #gauge: { inc(): void; dec(): void };
  #waiting = new Map<EventWait, ClosingResponse>();
  #isStopped = false;
  #release = (wait: EventWait) => {
    this.#waiting.get(wait)?.off('close', wait.wake);
    this.#waiting.delete(wait);
    this.#gauge.dec();
  };

  /** `gauge` counts the waiting polls (herald_long_polls_waiting). */
  constructor(hub: Hub, gauge: { inc(): void; dec(): void }) {
    this.#hub = hub;
    this.#gauge = gauge;
  }

  /** Holds `response` (see EventWait) until the wait is over or the response closes. */
  hold(response: ClosingResponse, options: Omit<EventWaitOptions, 'hub'>): Promise<void> {
    if (this.#isStopped) return Promise.resolve();
    this.#gauge.inc();
    const wait = new EventWait({ hub: this.#hub, ...options }, this.#release);
    this.#waiting.set(wait, response);
    response.on('close', wait.wake);
    return wait.done;
  }

  /** Answers every waiting long-poll now, and every later one at once (shutdown). */
  stop(): void {
    this.#isStopped = true;
    for (const wait of [...this.#waiting.keys()]) wait.wake();
  }
}
