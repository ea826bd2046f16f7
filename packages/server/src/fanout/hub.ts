import type { EventLog } from '../log/event-log.js';
import type { Announcement, Broker } from './broker.js';
import { BrokerResync } from './broker-resync.js';
import { DeliveredEvent } from './delivered-event.js';
import {
  type ChannelErrorReporter,
  type ChannelListener,
  type DeliveryCounter,
  StreamChannel,
} from './stream-channel.js';

/** A listener's hold on a stream channel. */
export interface ChannelAttachment {
  /** The last seq delivered on the channel: live delivery continues at head + 1. */
  readonly head: number;
  readonly epoch: string | null;
  detach(): void;
}

/**
 * One listener's hold on a channel. A class rather than an object literal of closures: every idle
 * subscriber and waiting long-poll keeps one for its whole life.
 */
class Attachment implements ChannelAttachment {
  #channel: StreamChannel;
  #listener: ChannelListener;
  #release: (channel: StreamChannel) => void;

  constructor(channel: StreamChannel, listener: ChannelListener, release: (channel: StreamChannel) => void) {
    this.#channel = channel;
    this.#listener = listener;
    this.#release = release;
  }

  get head(): number {
    return this.#channel.head;
  }

  get epoch(): string | null {
    return this.#channel.epoch;
  }

  detach(): void {
    this.#channel.remove(this.#listener);
    this.#release(this.#channel);
  }
}

/** Receives every event the hub delivers, on every stream (stream-list watchers, metrics). */
export type HubTap = (stream: string, events: readonly DeliveredEvent[]) => void;

/** Options of the hub. */
export interface HubOptions {
  log: EventLog;
  broker: Broker;
  /** Called with failures of listeners or log reads; delivery to others goes on. */
  reportError?: ChannelErrorReporter;
  /** Counts live deliveries, once per event (metrics); never called per socket. */
  countDeliveries?: DeliveryCounter;
  /** Log polling interval while the broker is degraded (ms, default 1000; see broker-resync.ts). */
  degradedPollIntervalMs?: number;
  /** Quiet-channel re-read interval while a lossy broker is up (ms, default 5000; see QUIET_RESYNC_INTERVAL_MS). */
  quietResyncIntervalMs?: number;
}

/**
 * Fans announcements out to this node's listeners through one StreamChannel per watched stream.
 * Channels exist only while someone listens. While the broker is degraded the hub polls the log
 * for every channel, and resyncs them all when it is back, so losing the broker costs latency,
 * never events; while a broker that can lose announcements is up, it re-reads quiet channels.
 */
export class Hub {
  #log: EventLog;
  #reportError: ChannelErrorReporter;
  #countDeliveries: DeliveryCounter;
  #channels = new Map<string, StreamChannel>();
  #taps = new Set<HubTap>();
  #unsubscribe: (() => void)[];
  /** Forgets a channel its last listener left; one function for every attachment. */
  #release = (channel: StreamChannel) => {
    if (channel.listenerCount === 0 && this.#channels.get(channel.stream) === channel)
      this.#channels.delete(channel.stream);
  };
  #resync: BrokerResync;

  constructor(options: HubOptions) {
    this.#log = options.log;
    this.#reportError = options.reportError ?? (() => {});
    this.#countDeliveries = options.countDeliveries ?? (() => {});
    this.#unsubscribe = [options.broker.onAnnouncement((announcement) => this.#receive(announcement))];
    this.#resync = new BrokerResync(options.broker, options, {
      resyncAll: () => this.#resyncAll(),
      resyncQuiet: () => this.#resyncQuiet(),
    });
  }

  /** Attaches a listener to a stream's channel; resolves once the channel knows its head. */
  async attach(stream: string, listener: ChannelListener): Promise<ChannelAttachment> {
    let channel = this.#channels.get(stream);
    if (!channel) {
      channel = new StreamChannel(stream, this.#log, this.#reportError, this.#countDeliveries);
      this.#channels.set(stream, channel);
    }
    channel.add(listener);
    await channel.ready;
    return new Attachment(channel, listener, this.#release);
  }

  /** Taps every delivered announcement; returns the removal. */
  watchAll(tap: HubTap): () => void {
    this.#taps.add(tap);
    return () => this.#taps.delete(tap);
  }

  /** Number of streams with at least one listener on this node. */
  get channelCount(): number {
    return this.#channels.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    this.#resync.close();
    this.#channels.clear();
    this.#taps.clear();
  }

  #receive(announcement: Announcement): void {
    const events =
      announcement.kind === 'events' ? announcement.records.map((r) => new DeliveredEvent(r, announcement.epoch)) : [];
    this.#channels.get(announcement.stream)?.receive(announcement, events);
    for (const tap of this.#taps) {
      try {
        tap(announcement.stream, events);
      } catch (error) {
        this.#reportError(error, announcement.stream);
      }
    }
  }

  #resyncAll(): void {
    for (const channel of this.#channels.values()) void channel.resync();
  }

  #resyncQuiet(): void {
    for (const channel of this.#channels.values()) {
      if (!channel.takeHasHeard()) void channel.resync();
    }
  }
}
