import type {
  ClientEvents,
  ClientStats,
  ConnectionStatus,
  HeraldClient,
  StreamList,
  StreamPresence,
  SubscribeOptions,
  Subscription,
  SubscriptionSnapshot,
} from '@herald/client';
import { applyMergePatch, type HeraldEvent } from '@herald/protocol';

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

/** A stream-list watch the test feeds by hand. */
export interface FakeWatch {
  prefix: string;
  onChange: (list: StreamList) => void;
  isStopped: boolean;
}

/** A HeraldClient whose connection status, errors, subscriptions and stream-list watches the test drives. */
export class FakeClient implements HeraldClient {
  status: ConnectionStatus = 'connecting';
  readonly subscriptions: FakeSubscription[] = [];
  readonly watches: FakeWatch[] = [];
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

  follow(): never {
    throw new Error('FakeClient does not follow feeds');
  }

  watchStreams(prefix: string, onChange: (list: StreamList) => void): () => void {
    const watch: FakeWatch = { prefix, onChange, isStopped: false };
    this.watches.push(watch);
    return () => {
      watch.isStopped = true;
    };
  }

  /** Watches not stopped yet. */
  get openWatches(): FakeWatch[] {
    return this.watches.filter((watch) => !watch.isStopped);
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.close();
  }
}
