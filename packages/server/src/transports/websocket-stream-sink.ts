import type { ServerFrame, StreamSnapshot } from '@herald/protocol';
import type { ResetNotice, SubscriptionSink } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import { eventFrameBytes } from './websocket-frames.js';

/** The part of a WebSocket connection a stream's subscription writes to. */
export interface StreamFrameWriter {
  /** Sends a control frame (built per subscriber; rare). */
  sendControl(frame: ServerFrame): void;
  /** Sends pre-built bytes shared with other subscribers. */
  sendBytes(bytes: Buffer): void;
  /** The subscription ended on the server's side (final, failure): forget it. */
  release(sink: WebSocketStreamSink): void;
  /** Reports a failed subscription to the client as an error frame naming the stream. */
  reportFailure(stream: string, error: unknown): void;
  /** Catch-up backpressure (see SubscriptionSink.ready). */
  ready(): Promise<void> | undefined;
}

/**
 * One `sub` of a WebSocket connection: `subscribed`, the missed events, `live`, then live events.
 * Once the subscriber is live on a final stream (its final event sent now, or seen before), the
 * subscription is released: a final stream has nothing more to say (DESIGN "Concepts").
 */
export class WebSocketStreamSink implements SubscriptionSink {
  readonly stream: string;
  #writer: StreamFrameWriter;
  #ref: number | undefined;
  #wantsState: boolean;
  #openedAs: StreamSnapshot | undefined;
  #isLive = false;
  #hasSentFinal = false;
  #isClosed = false;

  constructor(writer: StreamFrameWriter, stream: string, options: { ref?: number; wantsState: boolean }) {
    this.#writer = writer;
    this.stream = stream;
    this.#ref = options.ref;
    this.#wantsState = options.wantsState;
  }

  /**
   * Makes `subscribed` report `snapshot` (read before the subscription started at its seq) instead
   * of the subscription's first read, so its `state` and `seq` match the events that follow.
   */
  reportOpenedAs(snapshot: StreamSnapshot): void {
    this.#openedAs = snapshot;
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Stops sending anything for this subscription. */
  close(): void {
    this.#isClosed = true;
  }

  opened(snapshot: StreamSnapshot): void {
    if (this.#isClosed) return;
    const { stream, epoch, seq, firstSeq, final, state } = this.#openedAs ?? snapshot;
    this.#writer.sendControl({
      op: 'subscribed',
      ...(this.#ref === undefined ? {} : { ref: this.#ref }),
      stream,
      epoch,
      seq,
      firstSeq,
      final,
      ...(this.#wantsState ? { state } : {}),
    });
  }

  reset(notice: ResetNotice): void {
    if (this.#isClosed) return;
    const { stream, reason, epoch, seq, firstSeq, state } = notice;
    this.#writer.sendControl({ op: 'reset', stream, reason, epoch, seq, firstSeq, state });
  }

  event(event: DeliveredEvent): void {
    if (this.#isClosed) return;
    this.#writer.sendBytes(eventFrameBytes(event));
    if (!event.isFinal) return;
    this.#hasSentFinal = true;
    if (this.#isLive) this.#writer.release(this);
  }

  live(seq: number, isFinal: boolean): void {
    if (this.#isClosed) return;
    this.#isLive = true;
    this.#writer.sendControl({ op: 'live', stream: this.stream, seq });
    if (this.#hasSentFinal || isFinal) this.#writer.release(this);
  }

  ready(): Promise<void> | undefined {
    return this.#isClosed ? undefined : this.#writer.ready();
  }

  failed(error: unknown): void {
    if (this.#isClosed) return;
    this.#writer.reportFailure(this.stream, error);
    this.#writer.release(this);
  }
}
