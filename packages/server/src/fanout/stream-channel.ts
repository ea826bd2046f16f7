import type { EventLog } from '../log/event-log.js';
import type { Announcement } from './broker.js';
import { DeliveredEvent } from './delivered-event.js';

/** Events read from the log per query while filling a gap. */
const GAP_FILL_PAGE_SIZE = 500;

/** What a stream channel tells each attached listener. */
export interface ChannelListener {
  /** One event, in seq order, each seq once per epoch (G1, G2, G3). */
  onEvent(event: DeliveredEvent): void;
  /** The stream was deleted or recreated: positions of the old epoch mean nothing any more. */
  onEpochChange(epoch: string | null): void;
}

/** Reports a listener or log failure without stopping delivery to the others. */
export type ChannelErrorReporter = (error: unknown, stream: string) => void;

/**
 * Where a delivered event came from: its announcement, or the log (a gap fill, a poll while the
 * broker is degraded, a quiet channel's re-read). Many `log` deliveries while the broker is up mean
 * announcements are being lost.
 */
export type DeliverySource = 'announcement' | 'log';

/** Counts deliveries: called once per delivered event with the number of listeners it went to. */
export type DeliveryCounter = (listenerCount: number, source: DeliverySource) => void;

/**
 * The one place on the server where a stream's order is decided. Announcements may arrive late,
 * twice, out of order or not at all (a broker only moves messages); the channel delivers to its
 * listeners a contiguous run of seqs, filling any hole from the log before going on.
 *
 * Invariants:
 * - `head` is the last seq delivered to listeners; every seq ≤ head is committed in the log.
 * - Listeners see seq head+1, head+2, … and nothing twice within an epoch.
 * - While loading or filling, announcements are buffered and replayed afterwards, so a fill and a
 *   live announcement never interleave.
 */
export class StreamChannel {
  readonly stream: string;
  #log: EventLog;
  #reportError: ChannelErrorReporter;
  #countDeliveries: DeliveryCounter;
  #listeners = new Set<ChannelListener>();
  #epoch: string | null = null;
  #head = 0;
  #isBusy = true;
  /** Whether an announcement arrived since the hub last asked (see Hub's quiet re-read). */
  #hasHeard = false;
  #buffered: { announcement: Announcement; events: DeliveredEvent[] }[] = [];
  readonly ready: Promise<void>;

  constructor(stream: string, log: EventLog, reportError: ChannelErrorReporter, countDeliveries: DeliveryCounter) {
    this.stream = stream;
    this.#log = log;
    this.#reportError = reportError;
    this.#countDeliveries = countDeliveries;
    this.ready = this.#load();
  }

  /** The last seq delivered on this channel. */
  get head(): number {
    return this.#head;
  }

  /** The epoch of the events delivered on this channel (`null` while the stream does not exist). */
  get epoch(): string | null {
    return this.#epoch;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  add(listener: ChannelListener): void {
    this.#listeners.add(listener);
  }

  remove(listener: ChannelListener): void {
    this.#listeners.delete(listener);
  }

  /** Takes one announcement for this stream (`events` are its records, already wrapped once). */
  receive(announcement: Announcement, events: DeliveredEvent[]): void {
    this.#hasHeard = true;
    if (this.#isBusy) {
      this.#buffered.push({ announcement, events });
      return;
    }
    this.#apply(announcement, events);
  }

  /** Whether an announcement arrived since the last call (which clears it). */
  takeHasHeard(): boolean {
    const hasHeard = this.#hasHeard;
    this.#hasHeard = false;
    return hasHeard;
  }

  /** Reads whatever the log holds beyond `head` and delivers it (broker degraded or just back, or quiet). */
  resync(): Promise<void> {
    if (this.#isBusy) return Promise.resolve();
    return this.#fill();
  }

  async #load(): Promise<void> {
    try {
      const snapshot = await this.#log.getSnapshot(this.stream);
      this.#epoch = snapshot.epoch;
      this.#head = snapshot.seq;
    } catch (error) {
      this.#reportError(error, this.stream);
    }
    this.#drainBuffer();
  }

  #apply(announcement: Announcement, events: DeliveredEvent[]): void {
    if (announcement.kind === 'deleted') {
      if (this.#epoch !== null) this.#changeEpoch(null);
      return;
    }
    const isNewStream = this.#epoch === null && this.#head === 0;
    if (isNewStream) this.#epoch = announcement.epoch;
    else if (announcement.epoch !== this.#epoch) {
      // Recreated with a new epoch: the log is the authority on where the new epoch stands.
      this.#changeEpoch(announcement.epoch);
    }
    for (const event of events) {
      if (event.seq <= this.#head) continue;
      if (event.seq !== this.#head + 1) {
        void this.#fill();
        return;
      }
      this.#deliver(event, 'announcement');
    }
  }

  #changeEpoch(epoch: string | null): void {
    this.#epoch = epoch;
    this.#head = 0;
    for (const listener of this.#listeners) this.#call(() => listener.onEpochChange(epoch));
  }

  async #fill(): Promise<void> {
    this.#isBusy = true;
    try {
      for (;;) {
        const read = await this.#log.readEvents(this.stream, this.#head, GAP_FILL_PAGE_SIZE);
        const { epoch } = read.snapshot;
        if (epoch !== this.#epoch) {
          this.#changeEpoch(epoch);
          continue;
        }
        // No stream, no events.
        if (epoch === null) break;
        // The log returns seq > head in order; a hole can only be retention, which the
        // subscriptions turn into an explicit reset.
        for (const record of read.events) this.#deliver(new DeliveredEvent(record, epoch), 'log');
        if (!read.hasMore) break;
      }
    } catch (error) {
      this.#reportError(error, this.stream);
    }
    this.#drainBuffer();
  }

  #drainBuffer(): void {
    this.#isBusy = false;
    while (this.#buffered.length > 0 && !this.#isBusy) {
      const next = this.#buffered.shift()!;
      this.#apply(next.announcement, next.events);
    }
  }

  #deliver(event: DeliveredEvent, source: DeliverySource): void {
    this.#head = event.seq;
    this.#countDeliveries(this.#listeners.size, source);
    for (const listener of this.#listeners) this.#call(() => listener.onEvent(event));
  }

  #call(notify: () => void): void {
    try {
      notify();
    } catch (error) {
      this.#reportError(error, this.stream);
    }
  }
}
