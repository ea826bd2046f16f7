import type { StreamSnapshot } from '@herald/protocol';
import type { ResetNotice, SubscriptionSink } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { LiveConnection } from './live-connection.js';

/** Turns one stream's subscription into a wire's frames (SSE, multi-stream SSE, WebSocket). */
export interface FrameEncoder {
  /** The subscription's first read (WebSocket `subscribed`); `undefined` on wires that say nothing. */
  opened(stream: string, snapshot: StreamSnapshot): Buffer | undefined;
  reset(notice: ResetNotice): Buffer;
  event(stream: string, event: DeliveredEvent): Buffer;
  /** Caught up: everything up to `seq` was sent. */
  live(stream: string, seq: number): Buffer;
  /**
   * The stream closed at `seq`. A wire with this frame finishes a stream at its final event; one
   * without it (WebSocket) at `live`, which tells the client that nothing follows.
   */
  final?(stream: string, seq: number): Buffer;
}

/** Who a LiveSink reports to: the route or connection that opened the subscription. */
export interface LiveSinkOwner {
  /** The stream has nothing more to say: its final event was sent, or seen before. */
  finished(sink: LiveSink): void;
  /** The log could not be read for the stream. */
  failed(sink: LiveSink, error: unknown): void;
}

/**
 * The one sink of every live wire: writes one stream's subscription to a LiveConnection through
 * the wire's FrameEncoder, and tells its owner once the stream is finished (a final stream has
 * nothing more to say, DESIGN "Concepts") or has failed. After that, or `close()`, it writes nothing.
 */
export class LiveSink implements SubscriptionSink {
  readonly stream: string;
  #connection: LiveConnection;
  #encoder: FrameEncoder;
  #owner: LiveSinkOwner;
  #isLive = false;
  #hasSentFinal = false;
  #isClosed = false;

  constructor(connection: LiveConnection, stream: string, encoder: FrameEncoder, owner: LiveSinkOwner) {
    this.#connection = connection;
    this.stream = stream;
    this.#encoder = encoder;
    this.#owner = owner;
  }

  get isClosed(): boolean {
    return this.#isClosed || this.#connection.isClosed;
  }

  /** Stops sending anything for this subscription. */
  close(): void {
    this.#isClosed = true;
  }

  opened(snapshot: StreamSnapshot): void {
    if (this.isClosed) return;
    const frame = this.#encoder.opened(this.stream, snapshot);
    if (frame) this.#connection.write(frame);
  }

  reset(notice: ResetNotice): void {
    if (!this.isClosed) this.#connection.write(this.#encoder.reset(notice));
  }

  event(event: DeliveredEvent): void {
    if (this.isClosed) return;
    this.#connection.write(this.#encoder.event(this.stream, event));
    if (!event.isFinal) return;
    this.#hasSentFinal = true;
    if (this.#isLive) this.#finish(event.seq);
    // Caught up at the final event (nothing can follow it): `live`, then the wire's `final`, as a
    // stream that turns final while live sends them; a wire without `final` waits for its `live`.
    else if (this.#encoder.final) this.live(event.seq, true);
  }

  live(seq: number, isFinal: boolean): void {
    if (this.isClosed) return;
    this.#isLive = true;
    this.#connection.write(this.#encoder.live(this.stream, seq));
    // A final stream whose final event went by before (a reset past deleted history) finishes too.
    if (this.#hasSentFinal || isFinal) this.#finish(seq);
  }

  ready(): Promise<void> | undefined {
    return this.isClosed ? undefined : this.#connection.ready();
  }

  // Given whether or not the sink is closed: each turn taken must be given back.
  takeTurn(): Promise<void> | undefined {
    return this.#connection.takeTurn();
  }

  endTurn(): void {
    this.#connection.endTurn();
  }

  failed(error: unknown): void {
    if (this.isClosed) return;
    this.#isClosed = true;
    this.#owner.failed(this, error);
  }

  #finish(finalSeq: number): void {
    const frame = this.#encoder.final?.(this.stream, finalSeq);
    if (frame) this.#connection.write(frame);
    this.#isClosed = true;
    this.#owner.finished(this);
  }
}
