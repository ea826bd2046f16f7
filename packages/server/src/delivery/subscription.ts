import type { ServerFrame, StreamSnapshot } from '@herald/protocol';
import { DeliveredEvent } from '../fanout/delivered-event.js';
import type { ChannelAttachment, Hub } from '../fanout/hub.js';
import type { ChannelListener } from '../fanout/stream-channel.js';
import type { EventLog, EventsRead } from '../log/event-log.js';
import { CATCH_UP_PAGE_BYTES, type PageOutcome } from './catch-up-page.js';
import { resolveResume } from './resolve-resume.js';

/** Events read from the log per query during catch-up. */
const CATCH_UP_PAGE_SIZE = 1000;

/**
 * The reset a subscriber is told about — the wire frame without its `op`: its position is void;
 * `state` is the snapshot at `seq`, and the events that follow start at `firstSeq`.
 */
export type ResetNotice = Omit<Extract<ServerFrame, { op: 'reset' }>, 'op'>;

/** What a transport implements to carry one subscription (it only moves bytes). */
export interface SubscriptionSink {
  /** First call: the snapshot at subscribe time (the WebSocket `subscribed` frame). */
  opened(snapshot: StreamSnapshot): void;
  reset(notice: ResetNotice): void;
  event(event: DeliveredEvent): void;
  /**
   * Caught up: everything up to `seq` was sent; what follows is live. `isFinal`: the stream is
   * final and `seq` is its last event, so nothing will follow (the final event itself may have
   * gone by before this subscription, or been deleted by retention).
   */
  live(seq: number, isFinal: boolean): void;
  /** The log could not be read; the transport ends the subscription and the client resumes. */
  failed(error: unknown): void;
  /**
   * Backpressure during catch-up: a promise while the transport's send buffer is full, resolved
   * once it has room; `undefined` to go on at once. Without it a long history would be queued in
   * memory all at once, however slowly the client reads.
   */
  ready?(): Promise<void> | undefined;
  /**
   * The connection's one catch-up turn, taken before each page is read from the log (see
   * LiveConnection.takeTurn): `undefined` when taken at once, else a promise resolved once taken.
   * A connection carrying many subscriptions thus holds one page at a time, not one per
   * subscription. Each turn taken is given back with `endTurn()`.
   */
  takeTurn?(): Promise<void> | undefined;
  endTurn?(): void;
}

/** Options of `Subscription.open`. */
export interface SubscriptionOptions {
  hub: Hub;
  log: EventLog;
  stream: string;
  /** The subscriber's position: the last seq it has (0 for all history). */
  after: number;
  /** The epoch that position belongs to, when the subscriber knows it. */
  epoch?: string | null;
  sink: SubscriptionSink;
}

/**
 * One subscriber's view of one stream, and the server's hand-over from history to live:
 *
 *   attach to the channel ─▶ catch up from the log ─▶ live ──(hole or epoch change)──▶ catch up …
 *
 * The channel is attached before the first read, so nothing committed after that read can be
 * missed; live events that arrive while catching up are ignored, because the catch-up loop only
 * ends once its position has reached the channel's head, and it reads them from the log instead.
 * Every event passes through `#send`, which never lets a seq at or below the position out (G1–G3).
 */
export class Subscription implements ChannelListener {
  readonly stream: string;
  // The options' fields, not the options object: a subscription lives as long as its connection.
  #log: EventLog;
  #sink: SubscriptionSink;
  #attachment: ChannelAttachment | undefined;
  #position: number;
  #epoch: string | null;
  #isOpened = false;
  #isLive = false;
  #isCatchingUp = false;
  /** Set by an epoch change; a catch-up read that began before it may be of the old epoch. */
  #hasEpochChanged = false;
  #isClosed = false;

  private constructor(options: SubscriptionOptions) {
    this.stream = options.stream;
    this.#log = options.log;
    this.#sink = options.sink;
    this.#position = options.after;
    this.#epoch = options.epoch ?? null;
  }

  /**
   * Starts a subscription without waiting for its catch-up, for a transport that may close it at
   * any time (client gone, unsub): a close before the catch-up ends stops it at once, so no more
   * history is read for nobody and the stream's channel is released. A failure to attach goes to
   * `sink.failed` unless the subscription was closed first. No AbortSignal is made: its
   * EventTarget would cost each idle connection about 1 KiB.
   */
  static open(options: SubscriptionOptions): Subscription {
    const subscription = new Subscription(options);
    subscription.#run(options.hub).catch((error: unknown) => {
      if (!subscription.#isClosed) subscription.#sink.failed(error);
    });
    return subscription;
  }

  async #run(hub: Hub): Promise<void> {
    const attachment = await hub.attach(this.stream, this);
    this.#attachment = attachment;
    if (this.#isClosed) this.close();
    else await this.#catchUp();
  }

  /** The last seq sent to the subscriber. */
  get position(): number {
    return this.#position;
  }

  get isLive(): boolean {
    return this.#isLive;
  }

  close(): void {
    this.#isClosed = true;
    this.#isLive = false;
    this.#attachment?.detach();
  }

  onEvent(event: DeliveredEvent): void {
    if (!this.#isLive || event.seq <= this.#position) return;
    if (event.seq === this.#position + 1) this.#send(event);
    else void this.#catchUp();
  }

  onEpochChange(): void {
    this.#hasEpochChanged = true;
    if (!this.#isClosed) void this.#catchUp();
  }

  async #catchUp(): Promise<void> {
    if (this.#isCatchingUp) return;
    this.#isCatchingUp = true;
    this.#isLive = false;
    const sink = this.#sink;
    try {
      for (;;) {
        const turn = sink.takeTurn?.();
        if (turn) await turn;
        let outcome: PageOutcome;
        try {
          outcome = await this.#catchUpPage();
        } finally {
          sink.endTurn?.();
        }
        if (outcome === 'done') return;
        // The rest of the page was dropped, to be read again once the client has room: held while
        // it waits, the pages of a connection's many subscriptions would add up.
        if (outcome !== 'more') await outcome.room;
      }
    } catch (error) {
      if (!this.#isClosed) sink.failed(error);
    } finally {
      this.#isCatchingUp = false;
    }
  }

  /**
   * Reads one page of the catch-up and sends it. A method of its own so that the page is let go
   * when it returns: an async function's frame keeps what it read across its later awaits.
   */
  async #catchUpPage(): Promise<PageOutcome> {
    if (this.#isClosed) return 'done';
    const sink = this.#sink;
    const stream = this.stream;
    this.#hasEpochChanged = false;
    const read = await this.#log.readEvents(stream, this.#position, CATCH_UP_PAGE_SIZE, CATCH_UP_PAGE_BYTES);
    if (this.#isClosed) return 'done';
    if (!this.#isOpened) {
      this.#isOpened = true;
      sink.opened(read.snapshot);
    }
    const decision = resolveResume(read.snapshot, this.#position, this.#epoch);
    this.#epoch = read.snapshot.epoch;
    if (decision.kind === 'reset') {
      const { epoch, seq, firstSeq, state } = read.snapshot;
      sink.reset({ stream, reason: decision.reason, epoch, seq, firstSeq, state });
      this.#position = decision.after;
      return 'more';
    }
    const room = this.#sendPage(read);
    if (room) return { room };
    if (!this.#isCaughtUp(read)) return 'more';
    this.#isLive = true;
    sink.live(this.#position, read.snapshot.final && this.#position >= read.snapshot.seq);
    return 'done';
  }

  /** Whether `read` brought the position to the log's end and the channel's head: what follows is live. */
  #isCaughtUp(read: EventsRead): boolean {
    // A channel still on an older epoch than the log (its announcements lost) has a head that
    // means nothing here; waiting for it to pass our position would spin until it learns.
    const isChannelStale = this.#attachment !== undefined && this.#attachment.epoch !== read.snapshot.epoch;
    const hasReachedChannel = isChannelStale || this.#position >= (this.#attachment?.head ?? 0);
    return !read.hasMore && !this.#hasEpochChanged && hasReachedChannel;
  }

  /** Sends the events read while the client has room; stops at the first it has none for, and says so. */
  #sendPage({ events, snapshot }: EventsRead): Promise<void> | undefined {
    const { epoch } = snapshot;
    // No stream, no events.
    if (epoch === null) return undefined;
    for (const record of events) {
      const room = this.#sink.ready?.();
      if (room) return room;
      this.#send(new DeliveredEvent(record, epoch));
    }
    return undefined;
  }

  #send(event: DeliveredEvent): void {
    if (event.seq <= this.#position) return;
    this.#position = event.seq;
    this.#sink.event(event);
  }
}
