import type {
  ClientEvents,
  ClientStats,
  ConnectionStatus,
  Feed,
  FeedEvents,
  FeedFilter,
  FollowOptions,
  HeraldClient,
  StreamList,
  StreamPresence,
  SubscribeOptions,
  Subscription,
  SubscriptionSnapshot,
} from '@herald/client';
import { applyMergePatch, type HeraldError, type HeraldEvent } from '@herald/protocol';

/** A subscription whose events the test delivers by hand. */
export class FakeSubscription implements Subscription {
  readonly stream: string;
  isClosed = false;
  #snapshot: SubscriptionSnapshot;
  readonly #listeners = new Set<() => void>();
  readonly #presenceListeners = new Set<(presence: StreamPresence) => void>();
  presence: StreamPresence | null = null;

  constructor(
    stream: string,
    status: ConnectionStatus,
    readonly options: SubscribeOptions = {},
  ) {
    this.stream = stream;
    this.#snapshot = {
      state: null,
      events: [],
      seq: 0,
      final: false,
      status,
      lastEventAt: null,
      pending: [],
      error: null,
    };
  }

  snapshot(): SubscriptionSnapshot {
    return this.#snapshot;
  }

  /** How many change listeners are registered. */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  on(event: 'change', listener: () => void): () => void;
  on(event: 'presence', listener: (presence: StreamPresence) => void): () => void;
  on(event: 'change' | 'presence', listener: (() => void) & ((presence: StreamPresence) => void)): () => void {
    const listeners = event === 'change' ? this.#listeners : this.#presenceListeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Tells presence listeners who watches now, as the real client does on a `presence` frame. */
  setPresence(presence: StreamPresence): void {
    this.presence = presence;
    for (const listener of this.#presenceListeners) listener(presence);
  }

  close(): void {
    this.isClosed = true;
  }

  /** Delivers the next event of the stream, as the real client would after ordering it. */
  deliver(event: Omit<HeraldEvent, 'stream' | 'seq' | 'id' | 'time'>): void {
    const seq = this.#snapshot.seq + 1;
    const full: HeraldEvent = { stream: this.stream, seq, id: `e${seq}`, time: new Date().toISOString(), ...event };
    const state = event.state === undefined ? this.#snapshot.state : applyMergePatch(this.#snapshot.state, event.state);
    const final = event.final === true;
    this.update({ events: [...this.#snapshot.events, full], seq, state, final, lastEventAt: Date.now() });
    if (final) this.update({ status: 'final' });
  }

  /** Replaces part of the snapshot and notifies listeners. */
  update(changes: Partial<SubscriptionSnapshot>): void {
    this.#snapshot = { ...this.#snapshot, ...changes };
    for (const listener of this.#listeners) listener();
  }
}

/** A followed feed whose events, status and errors the test delivers by hand. */
export class FakeFeed implements Feed {
  readonly filter: FeedFilter;
  /** The cursor `follow` was given. */
  readonly startCursor: string | undefined;
  status: ConnectionStatus;
  cursor: string | undefined;
  isCaughtUp = false;
  isClosed = false;
  readonly #onEvent: FollowOptions['onEvent'];
  readonly #listeners: { [K in keyof FeedEvents]: Set<FeedEvents[K]> } = { status: new Set(), error: new Set() };

  constructor(filter: FeedFilter, options: FollowOptions, status: ConnectionStatus) {
    this.filter = filter;
    this.startCursor = options.cursor;
    this.cursor = options.cursor;
    this.status = status;
    this.#onEvent = options.onEvent;
  }

  /** How many status and error listeners are registered. */
  get listenerCount(): number {
    return this.#listeners.status.size + this.#listeners.error.size;
  }

  on<K extends keyof FeedEvents>(event: K, listener: FeedEvents[K]): () => void {
    const listeners = this.#listeners[event] as Set<FeedEvents[K]>;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  close(): void {
    this.isClosed = true;
  }

  /** Delivers the next event of the feed, with the cursor `c<stream>#<seq>`. */
  deliver(event: Omit<HeraldEvent, 'id' | 'time'>): void {
    const cursor = `c${event.stream}#${event.seq}`;
    this.cursor = cursor;
    this.#onEvent({ id: `${event.stream}#${event.seq}`, time: new Date().toISOString(), ...event, cursor });
  }

  setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const listener of this.#listeners.status) listener(status);
  }

  fail(error: HeraldError): void {
    for (const listener of this.#listeners.error) listener(error);
  }
}

/** A stream-list watch the test feeds by hand. */
export interface FakeWatch {
  prefix: string;
  onChange: (list: StreamList) => void;
  isStopped: boolean;
}

/** A HeraldClient whose connection status, errors, subscriptions, stream-list watches and feeds the test drives. */
export class FakeClient implements HeraldClient {
  status: ConnectionStatus = 'connecting';
  readonly subscriptions: FakeSubscription[] = [];
  readonly watches: FakeWatch[] = [];
  readonly feeds: FakeFeed[] = [];
  readonly #listeners: { [K in keyof ClientEvents]: Set<ClientEvents[K]> } = { status: new Set(), error: new Set() };

  /** Subscriptions not closed yet. */
  get openSubscriptions(): FakeSubscription[] {
    return this.subscriptions.filter((subscription) => !subscription.isClosed);
  }

  subscribe(stream: string, options: SubscribeOptions = {}): FakeSubscription {
    const subscription = new FakeSubscription(stream, this.status, options);
    this.subscriptions.push(subscription);
    return subscription;
  }

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    const listeners = this.#listeners[event] as Set<ClientEvents[K]>;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Changes the connection status, in the client and in every open subscription. */
  setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const subscription of this.openSubscriptions) subscription.update({ status });
    for (const listener of this.#listeners.status) listener(status);
  }

  /** What `stats()` returns; tests change it. */
  currentStats: ClientStats = {
    transport: null,
    polls: 0,
    reconnects: 0,
    eventsDelivered: 0,
    duplicatesDropped: 0,
    gapsFilled: 0,
  };

  stats(): ClientStats {
    return { ...this.currentStats };
  }

  publish(): never {
    throw new Error('FakeClient does not publish');
  }

  listStreams(): never {
    throw new Error('FakeClient does not list streams');
  }

  queryEvents(): never {
    throw new Error('FakeClient does not query events');
  }

  watchStreams(prefix: string, onChange: (list: StreamList) => void): () => void {
    const watch: FakeWatch = { prefix, onChange, isStopped: false };
    this.watches.push(watch);
    return () => {
      watch.isStopped = true;
    };
  }

  follow(filter: FeedFilter, options: FollowOptions): FakeFeed {
    const feed = new FakeFeed(filter, options, this.status);
    this.feeds.push(feed);
    return feed;
  }

  /** Feeds not closed yet. */
  get openFeeds(): FakeFeed[] {
    return this.feeds.filter((feed) => !feed.isClosed);
  }

  /** Watches not stopped yet. */
  get openWatches(): FakeWatch[] {
    return this.watches.filter((watch) => !watch.isStopped);
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.close();
  }
}
