/**
 * A subscription: the client's one place where order is decided (docs/architecture.md). Whatever
 * the transport delivers — WebSocket frames, SSE messages, pages read over HTTP, the watchdog's
 * reads — goes through `receive`, and:
 *
 * - G1 no gap: an event whose seq is not the next one is held until `events?after=` fills the gap.
 * - G2 no duplicate: a seq at or below the position is dropped (and counted).
 * - G3 order: events reach `onEvent` in seq order.
 * - A `reset` (history gone, epoch changed) replaces events and state and calls `onReset`.
 * - Once the final event is delivered, all work for the stream stops.
 */
import {
  applyMergePatch,
  type EventsPage,
  type HeraldError,
  type HeraldEvent,
  type JsonValue,
  type StreamPresence,
} from '@herald/protocol';
import { Coalescer } from './coalescer.js';
import { Emitter, invokeCallback } from './emitter.js';
import { type HttpApi, type Position, toHeraldError } from './http-api.js';
import { PendingEvents } from './pending-events.js';
import { PresencePoll } from './presence-poll.js';
import { StreamOrder } from './stream-order.js';
import { isPushTransport, type TransportFrame } from './transports/transport.js';
import type {
  ClientStats,
  ConnectionStatus,
  PendingEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionSnapshot,
  TransportKind,
} from './types.js';
import { Watchdog } from './watchdog.js';

/** Default `maxEvents`: the window of latest events a snapshot holds. */
export const DEFAULT_MAX_EVENTS = 1000;

/** What a subscription needs from its client. */
export interface SubscriptionContext {
  http: HttpApi;
  staleAfterMs: number;
  /** The client's counters, updated in place. */
  stats: ClientStats;
  /** The stream is final or the subscription closed: the client may stop delivering it. */
  release(subscription: StreamSubscription): void;
}

type CatchUpReason = 'gap' | 'watchdog';

/** One subscriber's ordered, gapless view of a stream. */
export class StreamSubscription implements Subscription {
  readonly stream: string;
  readonly #options: SubscribeOptions;
  readonly #context: SubscriptionContext;
  readonly #order: StreamOrder;
  readonly #watchdog: Watchdog;
  readonly #coalescer: Coalescer;
  readonly #changes = new Emitter<{ change: () => void; presence: (presence: StreamPresence) => void }>();
  readonly #pending = new PendingEvents();
  #events: HeraldEvent[] = [];
  readonly #maxEvents: number;
  #state: JsonValue = null;
  /** The seq `#state` reflects: patches of events at or below it are already in it. */
  #stateSeq: number;
  #connection: ConnectionStatus = 'connecting';
  #isWatching = true;
  #isAnswered = false;
  #isFinal = false;
  /**
   * Where the WebSocket's `subscribed` frame said the stream ended (epoch and final seq): a final
   * event retention has removed is never delivered, so reaching this position at `live` finishes it.
   */
  #finalAt: { epoch: string | null; seq: number } | null = null;
  #isClosed = false;
  #isCatchingUp = false;
  #lastEventAt: number | null = null;
  #error: HeraldError | null = null;
  #snapshot: SubscriptionSnapshot | undefined;
  #notifiedState: JsonValue | undefined;
  #presence: StreamPresence | null = null;
  /** Reads presence over HTTP while the transport is not the WebSocket (only with `presence: true`). */
  readonly #presencePoll: PresencePoll | undefined;

  constructor(stream: string, options: SubscribeOptions, context: SubscriptionContext) {
    this.stream = stream;
    this.#options = options;
    this.#maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
    this.#context = context;
    const after = options.after ?? 0;
    this.#order = new StreamOrder(after);
    this.#stateSeq = after;
    this.#watchdog = new Watchdog(context.staleAfterMs, () => void this.#catchUp('watchdog'));
    this.#coalescer = new Coalescer(() => this.#flush());
    this.#watchdog.heard();
    if (options.presence === true) {
      this.#presencePoll = new PresencePoll(context.http, stream, (presence) => this.#setPresence(presence));
    }
    if (after > 0) void this.#loadState();
  }

  /** Whether the transport has said anything about the stream to this subscription yet. */
  get isAnswered(): boolean {
    return this.#isAnswered;
  }

  /** Whether this subscription follows the stream's presence. */
  get wantsPresence(): boolean {
    return this.#presencePoll !== undefined;
  }

  get presence(): StreamPresence | null {
    return this.#presence;
  }

  /** Where delivery resumes: after the last delivered seq, in the known epoch. */
  position(): Position {
    return { after: this.#order.seq, epoch: this.#order.epoch };
  }

  get isFinal(): boolean {
    return this.#isFinal;
  }

  snapshot(): SubscriptionSnapshot {
    this.#snapshot ??= {
      state: this.#pending.apply(this.#state),
      // `slice(-Infinity)` is the whole array: `maxEvents: Infinity` keeps every event.
      events: this.#events.slice(-this.#maxEvents),
      seq: this.#order.seq,
      final: this.#isFinal,
      status: this.#resolveStatus(),
      lastEventAt: this.#lastEventAt,
      pending: this.#pending.list(),
      error: this.#error,
    };
    return this.#snapshot;
  }

  on(event: 'change', listener: () => void): () => void;
  on(event: 'presence', listener: (presence: StreamPresence) => void): () => void;
  on(event: 'change' | 'presence', listener: (() => void) & ((presence: StreamPresence) => void)): () => void {
    return this.#changes.on(event, listener);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#watchdog.stop();
    this.#presencePoll?.stop();
    this.#coalescer.cancel();
    this.#changes.clear();
    this.#context.release(this);
  }

  /**
   * The connection changed: the watchdog runs only while a push transport is in charge (seed 001),
   * and a push connection that is not open arms it (W1). An armed wait is not restarted: the ladder
   * reports `reconnecting` on every failed attempt, and restarting on each would postpone the read
   * a dead WebSocket needs.
   */
  setConnection(status: ConnectionStatus, kind: TransportKind): void {
    this.#connection = status;
    const isWatching = isPushTransport(kind);
    const isOffline = status === 'offline';
    // The WebSocket brings `presence` frames; any other transport reads presence over HTTP.
    if (kind === 'websocket' || isOffline || this.#isClosed) this.#presencePoll?.stop();
    else this.#presencePoll?.start();
    if (isWatching !== this.#isWatching || isOffline || (status !== 'live' && !this.#watchdog.isArmed)) {
      this.#isWatching = isWatching;
      this.#rearm('heard');
    }
    this.#invalidate();
  }

  /** Takes one frame from whatever transport delivered it. */
  receive(frame: TransportFrame): void {
    if (this.#isClosed || this.#isFinal) return;
    // W1–W3: what a frame does to the watchdog (heartbeats and errors: nothing).
    if (frame.op === 'event' || frame.op === 'page' || frame.op === 'subscribed' || frame.op === 'reset') {
      this.#rearm('heard');
    }
    switch (frame.op) {
      case 'event': {
        const { op: _op, epoch, ...event } = frame;
        this.#answered();
        if (epoch !== undefined && epoch !== this.#order.epoch) {
          // Subscribed before the stream existed: this is its epoch, to resume with from now on.
          if (this.#order.epoch === null) this.#order.setEpoch(epoch);
          else {
            // An epoch the subscription was never reset into (the stream was made again while it
            // was away): joined onto the old one, this event would skip the new epoch's first
            // events. The read resumes with the known epoch, and the server resets it.
            void this.#catchUp('gap');
            break;
          }
        }
        this.#accept([event]);
        break;
      }
      case 'page':
        this.#answered();
        this.#applyPage(frame.page);
        break;
      case 'subscribed': {
        this.#answered();
        const isEpochChange = this.#order.epoch !== null && frame.epoch !== null && frame.epoch !== this.#order.epoch;
        if (isEpochChange) void this.#catchUp('gap');
        else if (frame.epoch !== null) this.#order.setEpoch(frame.epoch);
        // At the final seq, not past it: a position past the head is another epoch's, and the
        // server resets it next.
        if (frame.final && frame.seq === this.#order.seq && !isEpochChange) this.#finish();
        else this.#finalAt = frame.final ? { epoch: frame.epoch, seq: frame.seq } : null;
        break;
      }
      case 'live':
        this.#answered();
        // Everything up to `seq` was sent before `live`; missing any of it means a frame was lost.
        if (frame.seq > this.#order.seq) void this.#catchUp('gap');
        else if (this.#hasReachedFinal()) this.#finish();
        else if (this.#connection === 'live') this.#rearm('caughtUp');
        break;
      case 'reset':
        this.#answered();
        this.#reset(frame.epoch, frame.seq, frame.state, frame.firstSeq);
        break;
      case 'final':
        if (!this.#isFinal) void this.#catchUp('gap');
        break;
      case 'error':
        this.#error = frame.error;
        this.#invalidate();
        break;
      case 'presence': {
        // The frames are for the stream; a subscription that did not ask stays out of presence.
        const { op: _op, ...presence } = frame;
        if (this.wantsPresence) this.#setPresence(presence);
        break;
      }
      case 'hb':
        // A stream's own heartbeat is an answer about it: an ETag poll of a stream with no event
        // yet says so by a heartbeat, where it would otherwise stay `connecting` until one.
        if (frame.stream !== undefined) this.#answered();
        break;
    }
  }

  #setPresence(presence: StreamPresence): void {
    this.#presence = presence;
    this.#changes.emit('presence', presence);
  }

  /** Shows an optimistic publish at once (seed 004). */
  addPending(event: PendingEvent): void {
    this.#pending.add(event);
    this.#invalidate();
  }

  /** The server stored the optimistic event `id` at `seq`; its echo settles it. */
  acknowledgePending(id: string, seq: number): void {
    if (seq <= this.#order.seq) this.#pending.settle(id, seq);
    else this.#pending.acknowledge(id, seq);
    this.#invalidate();
  }

  /** The optimistic publish `id` failed: roll its patch back. */
  rollbackPending(id: string): void {
    if (this.#pending.remove(id)) this.#invalidate();
  }

  #answered(): void {
    if (this.#isAnswered) return;
    this.#isAnswered = true;
    this.#invalidate();
  }

  #accept(events: HeraldEvent[]): void {
    for (const event of events) {
      const { ready, isDuplicate } = this.#order.accept(event);
      if (isDuplicate) this.#context.stats.duplicatesDropped += 1;
      for (const next of ready) {
        if (!this.#isFinal) this.#deliver(next);
      }
    }
    if (this.#order.hasGap && !this.#isFinal) void this.#catchUp('gap');
  }

  #deliver(event: HeraldEvent): void {
    // Trimmed once it holds twice the window: one copy of maxEvents per maxEvents events, O(1) amortised.
    if (this.#events.push(event) >= 2 * this.#maxEvents) this.#events = this.#events.slice(-this.#maxEvents);
    this.#lastEventAt = Date.now();
    this.#error = null;
    this.#context.stats.eventsDelivered += 1;
    if (event.seq > this.#stateSeq) {
      if (event.state !== undefined) this.#state = applyMergePatch(this.#state, event.state);
      this.#stateSeq = event.seq;
    }
    this.#pending.settle(event.id, event.seq);
    this.#invalidate();
    invokeCallback(this.#options.onEvent, event);
    if (event.final) this.#finish();
  }

  #applyPage(page: EventsPage): void {
    if (page.reset) this.#reset(page.epoch, page.seq, page.state ?? null, page.firstSeq);
    else if (page.epoch !== null) this.#order.setEpoch(page.epoch);
    this.#accept(page.events);
    // Subscribed at or past the final event: nothing will be delivered, but the stream is done.
    if (page.final && !page.hasMore && this.#order.seq >= page.seq && !this.#isFinal) this.#finish();
  }

  /** Whether the position is at the final seq the `subscribed` frame gave, in its epoch. */
  #hasReachedFinal(): boolean {
    const finalAt = this.#finalAt;
    return finalAt !== null && finalAt.epoch === this.#order.epoch && this.#order.seq >= finalAt.seq;
  }

  /**
   * The position is gone or void: `state` is the snapshot at `seq`, and the events still held follow
   * from `firstSeq` — they rebuild the timeline, while their state patches are already in `state`.
   * (A server that sends no `firstSeq` resumes after the snapshot.) A stale reset is ignored.
   */
  #reset(epoch: string | null, seq: number, state: JsonValue, firstSeq = seq + 1): void {
    if (this.#isResetStale(epoch, seq, firstSeq)) return;
    this.#order.reset(epoch, Math.min(seq, firstSeq - 1));
    this.#events = [];
    this.#state = state;
    this.#stateSeq = seq;
    this.#invalidate();
    invokeCallback(this.#options.onReset, this.snapshot());
  }

  /**
   * Whether a reset leaves the subscription where it is: it is already in that epoch, at a
   * position the reset's history still holds (the catch-up read and the WebSocket's `sub` asked
   * with the same old position, and the first reset was applied). Applying it again would deliver
   * the new epoch's events twice (G2).
   */
  #isResetStale(epoch: string | null, seq: number, firstSeq: number): boolean {
    const position = this.#order.seq;
    return epoch !== null && epoch === this.#order.epoch && position >= firstSeq - 1 && position <= seq;
  }

  #finish(): void {
    this.#isFinal = true;
    this.#watchdog.stop();
    this.#presencePoll?.stop();
    this.#invalidate();
    this.#context.release(this);
    invokeCallback(this.#options.onFinal, this.snapshot());
  }

  /** Reads `events?after=` until the position is past every gap (one read at a time). */
  async #catchUp(reason: CatchUpReason): Promise<void> {
    if (this.#isCatchingUp || this.#isClosed || this.#isFinal) return;
    this.#isCatchingUp = true;
    this.#watchdog.stop();
    const startSeq = this.#order.seq;
    try {
      let page: EventsPage;
      do {
        if (reason === 'watchdog') this.#context.stats.polls += 1;
        page = await this.#context.http.readEvents(this.stream, this.position());
        if (this.#isClosed || this.#isFinal) return;
        this.#applyPage(page);
      } while (!this.#isFinal && (page.hasMore || (this.#order.hasGap && page.events.length > 0)));
      if (reason === 'gap' && this.#order.seq > startSeq) this.#context.stats.gapsFilled += 1;
    } catch (error) {
      this.#error = toHeraldError(error);
      this.#invalidate();
    } finally {
      this.#isCatchingUp = false;
      const hasFoundNothing = reason === 'watchdog' && this.#order.seq === startSeq;
      this.#rearm(hasFoundNothing ? 'foundNothing' : 'heard');
    }
  }

  /**
   * Applies the watchdog rules (watchdog.ts, W1–W4): `heard` restarts the wait, `caughtUp` disarms
   * it, `foundNothing` disarms it while the connection is live and backs off while it is down.
   */
  #rearm(cause: 'heard' | 'caughtUp' | 'foundNothing'): void {
    if (this.#isCatchingUp) return;
    // Offline, a read can only fail: the watchdog waits for the connection to come back (I8).
    const isNeeded = this.#isWatching && !this.#isFinal && !this.#isClosed && this.#connection !== 'offline';
    if (!isNeeded || cause === 'caughtUp') this.#watchdog.stop();
    else if (cause === 'heard') this.#watchdog.heard();
    else if (this.#connection === 'live') this.#watchdog.stop();
    else this.#watchdog.idle();
  }

  /**
   * Reads the events after the position now, rather than when the transport next sends one (a
   * second view of a stream already delivered: the transport sends it only what comes next).
   */
  catchUp(): void {
    void this.#catchUp('gap');
  }

  /**
   * Subscribing after a seq: the state comes from the snapshot, and later patches are applied on
   * top. The snapshot's epoch is the one the seq is taken in, so a resume names it.
   */
  async #loadState(): Promise<void> {
    try {
      const tagged = await this.#context.http.readSnapshot(this.stream);
      if (!tagged || this.#isClosed) return;
      if (this.#order.epoch === null && tagged.snapshot.epoch !== null) this.#order.setEpoch(tagged.snapshot.epoch);
      let state = tagged.snapshot.state;
      for (const event of this.#events) {
        if (event.seq > tagged.snapshot.seq && event.state !== undefined) state = applyMergePatch(state, event.state);
      }
      this.#state = state;
      this.#stateSeq = Math.max(this.#stateSeq, tagged.snapshot.seq);
    } catch (error) {
      this.#error = toHeraldError(error);
    }
    this.#invalidate();
  }

  #resolveStatus(): SubscriptionSnapshot['status'] {
    if (this.#isFinal) return 'final';
    const isConnected = this.#connection === 'live' || this.#connection === 'polling';
    return isConnected && !this.#isAnswered ? 'connecting' : this.#connection;
  }

  #invalidate(): void {
    this.#snapshot = undefined;
    this.#coalescer.schedule();
  }

  #flush(): void {
    const snapshot = this.snapshot();
    if (snapshot.state !== this.#notifiedState) {
      this.#notifiedState = snapshot.state;
      invokeCallback(this.#options.onState, snapshot.state, snapshot);
    }
    this.#changes.emit('change');
  }
}
