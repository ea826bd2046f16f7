import type { HeraldEvent, JsonValue } from '@herald/protocol';
import type { ConformanceTarget } from '../target.js';

/** A reset notice as a wire delivered it (docs/protocol.md "Reset"). */
export interface ResetNotice {
  epoch: string | null;
  seq: number;
  firstSeq: number;
  state: JsonValue;
}

/** Where a subscriber starts: the events after `after`, of `epoch` when given. */
export interface StartPosition {
  after: number;
  epoch?: string | null;
}

/** The four wires of docs/protocol.md. */
export type WireName = 'websocket' | 'sse' | 'longpoll' | 'poll';

/** A wire the suite runs over: `describe.each(WIRES)`. */
export interface Wire {
  readonly name: WireName;
  /** Subscribes to `stream` from `start`; resolves once the request or connection is under way. */
  subscribe(target: ConformanceTarget, stream: string, start: StartPosition): Promise<WireSubscriber>;
}

/**
 * How long a subscriber waits for what the protocol promises, in ms: generous for a loaded server
 * across a network; `--wait-ms` (HERALD_CONFORMANCE_WAIT_MS) changes it.
 */
const DEFAULT_WAIT_MS = Number(process.env.HERALD_CONFORMANCE_WAIT_MS) || 10_000;

/**
 * One subscriber to one stream over one wire: what the suite asserts on. Each wire subclasses it,
 * feeds it what it parses (`addEvent`, `addReset`, `markLive`, `markFinal`) and resumes from its
 * `position`, which follows the protocol: the last seq delivered, or `firstSeq − 1` right after a
 * reset. Nothing here orders or filters: duplicates and gaps stay visible to the suite.
 */
export abstract class WireSubscriber {
  /** Every event delivered, in arrival order. */
  readonly events: HeraldEvent[] = [];
  readonly resets: ResetNotice[] = [];
  /** Whether the wire said the subscriber is caught up (`live`, or a page with nothing more). */
  isLive = false;
  /** Whether the wire said the stream is final. */
  isFinal = false;
  /** Set by `close()`: the wire must stop all work. */
  isClosed = false;
  /** Requests or connections that failed, newest last (a wire retries them as a client would). */
  readonly failures: string[] = [];
  position: number;
  epoch: string | null;
  #waiters = new Set<() => void>();

  constructor(
    readonly wire: WireName,
    readonly target: ConformanceTarget,
    readonly stream: string,
    start: StartPosition,
  ) {
    this.position = start.after;
    this.epoch = start.epoch ?? null;
  }

  /** Opens the connection (or starts the request loop) from the current position. */
  abstract connect(): Promise<void>;
  /** Drops the connection (or aborts the request in flight) without a goodbye. */
  protected abstract disconnect(): void;

  /** Drops the connection and resumes from the last position, as a client would after a network cut. */
  async reconnect(): Promise<void> {
    this.disconnect();
    this.isLive = false;
    await this.connect();
  }

  close(): void {
    this.isClosed = true;
    this.disconnect();
  }

  addEvent(event: HeraldEvent): void {
    this.events.push(event);
    this.position = event.seq;
    if (event.final) this.isFinal = true;
    this.wake();
  }

  addReset(reset: ResetNotice): void {
    this.resets.push(reset);
    this.epoch = reset.epoch;
    this.position = reset.firstSeq - 1;
    this.wake();
  }

  markLive(): void {
    this.isLive = true;
    this.wake();
  }

  markFinal(): void {
    this.isFinal = true;
    this.wake();
  }

  recordFailure(error: unknown): void {
    this.failures.push(error instanceof Error ? error.message : String(error));
    this.wake();
  }

  /** Wakes the waiters after any change. */
  wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  waitUntil(condition: () => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const seqs = this.events.map((event) => event.seq).join(',') || 'none';
        const failure = this.failures.at(-1);
        reject(
          new Error(
            `${this.wire} subscriber of ${this.stream}: timed out after ${timeoutMs} ms waiting for ${what}; ` +
              `seqs delivered: ${seqs}${failure ? `; last failure: ${failure}` : ''}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }
}

/** A wire whose subscribers are instances of `Subscriber`, connected before they are handed out. */
export function defineWire(
  name: WireName,
  Subscriber: new (wire: WireName, target: ConformanceTarget, stream: string, start: StartPosition) => WireSubscriber,
): Wire {
  return {
    name,
    async subscribe(target, stream, start) {
      const subscriber = new Subscriber(name, target, stream, start);
      await subscriber.connect();
      return subscriber;
    },
  };
}
