import { onPrincipalExpiry } from '../auth/on-principal-expiry.js';
import type { Principal } from '../auth/principal.js';
import type { HeartbeatMember, HeartbeatWheel } from './heartbeat-wheel.js';
import { connectionClosed, hasRoom, isSlowConsumer, type SendBuffer, waitForRoom } from './send-buffer.js';
import type { Corkable, TickCorker } from './tick-corker.js';

/** Why a live connection ends; each wire says it its own way (a WebSocket close code, an SSE end). */
export type LiveEndReason = 'final' | 'failed' | 'expired' | 'slow_consumer' | 'shutdown' | 'bad_frame';

/**
 * The wire under a LiveConnection, injected as hono's WSContext takes `{send, close, readyState}`:
 * a WebSocket (WebSocketWire) or an SSE response (SseWire). It only moves bytes and says an end
 * its own way.
 */
export interface LiveWire {
  /** The socket or response whose queued bytes the slow-consumer and backpressure rules read. */
  readonly buffer: SendBuffer;
  /** What the tick corker holds while a tick's writes are collected. */
  readonly corkable: Corkable;
  /** Whether bytes can still be sent (the peer may have begun closing). */
  readonly isOpen: boolean;
  /** The wire's idle heartbeat, shared by every connection of the wire. */
  readonly heartbeatBytes: Buffer;
  send(bytes: Buffer): void;
  /** Ends the wire for `reason`; a promise when the end waits for the peer (WebSocket shutdown). */
  close(reason: LiveEndReason): Promise<void> | undefined;
  /** Calls `listener` once when the wire has closed, whoever closed it. */
  onClose(listener: () => void): void;
}

/** What every connection shares (LiveConnections implements it): one object, not one per connection. */
export interface LiveConnectionHost {
  /** Bytes a connection may keep queued before it is cut as a slow consumer. */
  readonly maxBufferedBytes: number;
  readonly corker: TickCorker;
  readonly heartbeats: HeartbeatWheel;
  /** Called once when a connection's wire has closed. */
  closed(connection: LiveConnection): void;
}

/** What one LiveConnection is opened with (read in the constructor, not kept as an object). */
export interface LiveConnectionInit {
  /** Whose token ends the connection at its `exp` (`expired`): a reconnect must bring a valid one. */
  principal: Principal;
  /** Gives back the connection's place under the per-IP connection limit (idempotent). */
  release: () => void;
  /** Called once when the connection ends, whoever ended it: the owner stops its subscriptions. */
  onEnd: () => void;
}

/** A catch-up held by `ready()`. */
interface HeldCatchUp {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One live connection, whatever the wire: the delivery code writes frames to it, and it applies
 * the rules every wire shares —
 * - heartbeat: the host's one HeartbeatWheel sends `heartbeatBytes` when it has been idle;
 * - slow consumer: once more than `maxBufferedBytes` stay queued from earlier ticks (see
 *   isSlowConsumer), it ends with `slow_consumer`; the client resumes from its position;
 * - backpressure: a catch-up reads each page of the log in the connection's one turn
 *   (`takeTurn()`), given while the buffer holds at most half the bound, so however many
 *   subscriptions it carries, a stalled connection holds one page; `ready()` holds a catch-up
 *   that finds the buffer full mid-page, and lets the held ones go one at a time;
 * - expiry: it ends with `expired` when its principal's token expires.
 *
 * Thousands sit idle at once, so a connection holds plain fields and no closures of its own.
 */
export class LiveConnection implements HeartbeatMember {
  #wire: LiveWire;
  #host: LiveConnectionHost;
  #release: () => void;
  #onEnd: () => void;
  #cancelExpiry: () => void;
  #lastWriteTurn: number;
  /** The catch-ups `ready()` holds, oldest first; none (most connections) without an array. */
  #held: HeldCatchUp[] | undefined;
  /** Whether a catch-up holds the turn to read and send a page (see takeTurn). */
  #isTurnTaken = false;
  /** The catch-ups waiting for the turn, oldest first; none without an array. */
  #turnQueue: HeldCatchUp[] | undefined;
  #isEnded = false;

  constructor(host: LiveConnectionHost, wire: LiveWire, init: LiveConnectionInit) {
    this.#host = host;
    this.#wire = wire;
    this.#release = init.release;
    this.#onEnd = init.onEnd;
    this.#lastWriteTurn = host.heartbeats.turn;
    host.heartbeats.add(this);
    this.#cancelExpiry = this.#scheduleExpiry(init.principal);
    wire.onClose(() => this.#closed());
  }

  /** Whether nothing more can be written: the connection ended, or its peer is closing. */
  get isClosed(): boolean {
    return this.#isEnded || !this.#wire.isOpen;
  }

  get lastWriteTurn(): number {
    return this.#lastWriteTurn;
  }

  /** Sends the wire's heartbeat (the wheel calls it when the connection has been idle). */
  heartbeat(): void {
    this.write(this.#wire.heartbeatBytes);
  }

  /** Writes one frame; a client too slow to take it is cut (see the class comment). */
  write(bytes: Buffer): void {
    if (this.isClosed) return;
    const host = this.#host;
    const wire = this.#wire;
    const isFirstWriteOfTick = host.corker.hold(wire.corkable);
    if (isSlowConsumer(wire.buffer, isFirstWriteOfTick, host.maxBufferedBytes)) {
      this.end('slow_consumer');
      return;
    }
    wire.send(bytes);
    // Once per tick is enough for a 15 s idle heartbeat, and keeps timer work off the burst path.
    if (isFirstWriteOfTick) this.#lastWriteTurn = host.heartbeats.turn;
  }

  /**
   * Catch-up backpressure (see SubscriptionSink.ready): `undefined` while the buffer holds at most
   * half the bound, else a promise that resolves when the catch-up may go on, or rejects if the
   * connection ends first. The catch-ups held on one connection (a WebSocket may carry a thousand
   * subscriptions) wait behind one wait for its buffer to drain, and go one per turn of the event
   * loop while it has room: all let go by one drain, each would read a page of the log for a
   * buffer that the first one fills again.
   */
  ready(): Promise<void> | undefined {
    // With room, even past held ones: the one just let go must not queue again behind them.
    if (this.#isEnded || hasRoom(this.#wire.buffer, this.#roomBytes)) return undefined;
    const held = this.#held;
    return new Promise((resolve, reject) => {
      if (held) {
        held.push({ resolve, reject });
        return;
      }
      this.#held = [{ resolve, reject }];
      this.#letHeldGo();
    });
  }

  /**
   * The turn to read one page of the log and send it, which one catch-up of the connection holds
   * at a time: `undefined` when it is taken at once (nobody holds it or waits, and the buffer has
   * room), else a promise resolved once it is this catch-up's, or rejected if the connection ends
   * first. The holder gives it back with `endTurn()` once its page is sent or dropped. Asked before
   * the read, so that the thousand subscriptions of a WebSocket do not each read a page before
   * they find the buffer full.
   */
  takeTurn(): Promise<void> | undefined {
    if (this.#isEnded) return undefined;
    if (!this.#isTurnTaken && this.#turnQueue === undefined && hasRoom(this.#wire.buffer, this.#roomBytes)) {
      this.#isTurnTaken = true;
      return undefined;
    }
    return new Promise((resolve, reject) => {
      if (this.#turnQueue) {
        this.#turnQueue.push({ resolve, reject });
        return;
      }
      this.#turnQueue = [{ resolve, reject }];
      this.#passTurn();
    });
  }

  /**
   * Gives the turn back (see takeTurn). The next catch-up waiting for it gets it on the next turn
   * of the event loop, once there is room: the page just written must first leave the tick's cork
   * for the buffer to say how full it is.
   */
  endTurn(): void {
    this.#isTurnTaken = false;
    if (this.#turnQueue) setImmediate(() => this.#passTurn());
  }

  #passTurn(): void {
    const queue = this.#turnQueue;
    if (this.#isTurnTaken || queue === undefined || this.#isEnded) return;
    if (this.#isWaitingForRoom(() => this.#passTurn())) return;
    this.#isTurnTaken = true;
    queue.shift()!.resolve();
    if (queue.length === 0) this.#turnQueue = undefined;
  }

  get #roomBytes(): number {
    return this.#host.maxBufferedBytes / 2;
  }

  /** Lets the oldest held catch-up go once the buffer has room, and the next one a turn later. */
  #letHeldGo(): void {
    if (this.#held === undefined || this.#isWaitingForRoom(() => this.#letOneGo())) return;
    this.#letOneGo();
  }

  /**
   * Whether the buffer holds more than half the bound: then `next` runs once it has drained, or
   * every catch-up held or waiting for the turn fails if the connection ends first.
   */
  #isWaitingForRoom(next: () => void): boolean {
    const wait = waitForRoom(this.#wire.buffer, this.#roomBytes);
    wait?.then(next, (error: unknown) => this.#failHeld(error));
    return wait !== undefined;
  }

  #letOneGo(): void {
    const held = this.#held;
    if (held === undefined) return;
    held.shift()!.resolve();
    if (held.length > 0) setImmediate(() => this.#letHeldGo());
    else this.#held = undefined;
  }

  /** Fails every catch-up held by `ready()` or waiting for the turn. */
  #failHeld(error: unknown): void {
    const held = [...(this.#held ?? []), ...(this.#turnQueue ?? [])];
    this.#held = undefined;
    this.#turnQueue = undefined;
    for (const catchUp of held) catchUp.reject(error);
  }

  /** Replaces the principal whose token expiry ends the connection (a WebSocket `auth`). */
  renewExpiry(principal: Principal): void {
    this.#cancelExpiry();
    this.#cancelExpiry = this.#scheduleExpiry(principal);
  }

  /**
   * Ends the connection after what was written; later calls do nothing, except at shutdown: a
   * connection still closing (its client has not answered a close) is closed again, so that the
   * wire's shutdown bound cuts it rather than leaving it open past the server.
   */
  end(reason: LiveEndReason): Promise<void> | undefined {
    if (this.#isEnded) return reason === 'shutdown' ? this.#wire.close(reason) : undefined;
    this.#stop();
    return this.#wire.close(reason);
  }

  #scheduleExpiry(principal: Principal): () => void {
    return onPrincipalExpiry(principal, () => this.end('expired'));
  }

  #closed(): void {
    if (!this.#isEnded) this.#stop();
    this.#release();
    this.#host.closed(this);
  }

  #stop(): void {
    this.#isEnded = true;
    this.#failHeld(connectionClosed());
    this.#host.heartbeats.delete(this);
    this.#cancelExpiry();
    this.#onEnd();
  }
}
