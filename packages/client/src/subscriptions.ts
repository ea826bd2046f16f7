import type { Position } from './http-api.js';
import { StreamSubscription, type SubscriptionContext } from './subscription.js';
import type { TransportFrame } from './transports/transport.js';
import type { ConnectionStatus, SubscribeOptions, TransportKind } from './types.js';

/** Where the set of delivered streams changes (the transport ladder). */
export interface StreamDelivery {
  add(stream: string): void;
  remove(stream: string): void;
}

/**
 * The client's open subscriptions, by stream: routes each transport frame to the subscriptions
 * of its stream (a heartbeat without a stream to all), and keeps the transport delivering exactly
 * the streams someone still needs.
 */
export class Subscriptions {
  readonly #byStream = new Map<string, Set<StreamSubscription>>();
  readonly #context: Omit<SubscriptionContext, 'release'>;
  readonly #delivery: StreamDelivery;
  #status: ConnectionStatus = 'connecting';
  #kind: TransportKind;

  constructor(context: Omit<SubscriptionContext, 'release'>, delivery: StreamDelivery, kind: TransportKind) {
    this.#context = context;
    this.#delivery = delivery;
    this.#kind = kind;
  }

  /** Opens a subscription and makes sure its stream is delivered. */
  open(stream: string, options: SubscribeOptions): StreamSubscription {
    const subscription = new StreamSubscription(stream, options, {
      ...this.#context,
      release: (released) => this.#release(released),
    });
    subscription.setConnection(this.#status, this.#kind);
    let set = this.#byStream.get(stream);
    if (!set) {
      set = new Set();
      this.#byStream.set(stream, set);
    }
    const isFirstPresence = options.presence === true && !this.wantsPresence(stream);
    set.add(subscription);
    // Delivered already without presence: subscribing again asks the server for presence frames.
    if (set.size === 1 || isFirstPresence) this.#delivery.add(stream);
    // Delivered already (another view was answered), the transport sends the new view only what
    // comes next: it reads the rest. Views opened together are all served by the transport's start.
    const isDelivered = [...set].some((other) => other !== subscription && other.isAnswered);
    if (isDelivered) subscription.catchUp();
    return subscription;
  }

  /** Whether a subscription of `stream` follows its presence. */
  wantsPresence(stream: string): boolean {
    return [...(this.#byStream.get(stream) ?? [])].some((subscription) => subscription.wantsPresence);
  }

  /**
   * Where a stream's delivery resumes: the least advanced subscription's position, in the epoch
   * the subscriptions know. A view opened at a seq (`after`) may not know the epoch yet, while
   * another does: resumed without one, the server would take the seq as is, and a stream made
   * again meanwhile would be joined onto the old one instead of reset.
   */
  position(stream: string): Position {
    let least: Position = { after: 0, epoch: null };
    let knownEpoch: string | null = null;
    let isFirst = true;
    for (const subscription of this.#byStream.get(stream) ?? []) {
      const position = subscription.position();
      if (isFirst || position.after < least.after) least = position;
      knownEpoch ??= position.epoch;
      isFirst = false;
    }
    return least.epoch === null && knownEpoch !== null ? { ...least, epoch: knownEpoch } : least;
  }

  route(frame: TransportFrame): void {
    const stream = frame.stream;
    const targets = stream === undefined ? [...this.#byStream.values()] : [this.#byStream.get(stream) ?? []];
    for (const set of targets) for (const subscription of [...set]) subscription.receive(frame);
  }

  setConnection(status: ConnectionStatus, kind: TransportKind): void {
    this.#status = status;
    this.#kind = kind;
    for (const set of this.#byStream.values()) for (const subscription of set) subscription.setConnection(status, kind);
  }

  /** The open subscriptions of `stream`. */
  of(stream: string): StreamSubscription[] {
    return [...(this.#byStream.get(stream) ?? [])];
  }

  /** Closes every subscription. */
  closeAll(): void {
    for (const set of [...this.#byStream.values()]) for (const subscription of [...set]) subscription.close();
  }

  #release(subscription: StreamSubscription): void {
    const set = this.#byStream.get(subscription.stream);
    if (!set?.delete(subscription)) return;
    if (set.size > 0) return;
    this.#byStream.delete(subscription.stream);
    this.#delivery.remove(subscription.stream);
  }
}
