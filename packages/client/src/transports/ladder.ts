import type { HeraldError } from '@herald/protocol';
import {
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionState,
  initialConnectionState,
  kindOf,
  resolveStatus,
  type TimerName,
  transition,
} from '../status.js';
import type { ConnectionStatus, TransportKind } from '../types.js';
import type { Transport, TransportFrame, TransportListener } from './transport.js';

/** What the ladder needs from its owner (the client's streams, or one stream list watch). */
export interface LadderOptions<Frame extends { op: string } = TransportFrame> {
  /** Transports in preference order (the rungs). */
  kinds: readonly TransportKind[];
  create(kind: TransportKind, listener: TransportListener<Frame>): Transport;
  /** Every frame of the active transport or of a probe. */
  onFrame(frame: Frame): void;
  onStatus(status: ConnectionStatus, kind: TransportKind): void;
  /** A failure, after which the ladder retries by itself. */
  onError(error: HeraldError): void;
  /** Counts a connection attempt after the first (reconnects and probes). */
  onReconnect(): void;
  /** Fetches a fresh token before reconnecting after `token_expired`; resolves false when that is impossible. */
  refreshToken(): Promise<boolean>;
  probeIntervalMs: number;
  random?: () => number;
}

/**
 * Runs the connection state machine (`status.ts`): turns transport reports, timers and the
 * browser's online/offline into its events, and carries out its effects. It decides nothing itself.
 * The client runs one for its streams, and each stream list watch its own.
 */
export class TransportLadder<Frame extends { op: string } = TransportFrame> {
  readonly #options: LadderOptions<Frame>;
  readonly #random: () => number;
  readonly #streams = new Set<string>();
  readonly #timers = new Map<TimerName, ReturnType<typeof setTimeout>>();
  #state: ConnectionState;
  #status: ConnectionStatus = 'connecting';
  #statusKind: TransportKind;
  #active: Transport | undefined;
  #probe: Transport | undefined;

  constructor(options: LadderOptions<Frame>) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#state = initialConnectionState(options.kinds, options.probeIntervalMs);
    this.#statusKind = this.kind;
  }

  /** The rung in use (connected or not). */
  get kind(): TransportKind {
    return kindOf(this.#state, this.#state.rung);
  }

  /** Connects, unless already under way. */
  start(): void {
    this.#dispatch({ type: 'start' });
  }

  /** Starts delivering a stream (connecting on first use). */
  add(stream: string): void {
    this.#streams.add(stream);
    this.start();
    this.#active?.add?.(stream);
    this.#probe?.add?.(stream);
  }

  /** Stops delivering a stream. */
  remove(stream: string): void {
    this.#streams.delete(stream);
    this.#active?.remove?.(stream);
    this.#probe?.remove?.(stream);
  }

  /** The streams being delivered. */
  streams(): string[] {
    return [...this.#streams];
  }

  /** Network is back (browser `online`): skip the backoff wait, and try the best rung again. */
  reconnectNow(): void {
    this.#dispatch({ type: 'online' });
  }

  /** The browser reports no network. */
  setOffline(): void {
    this.#dispatch({ type: 'offline' });
  }

  /** Hands a refreshed token to the live connection. */
  authenticate(token: string): void {
    this.#active?.authenticate?.(token);
  }

  close(): void {
    this.#dispatch({ type: 'close' });
    for (const timer of this.#timers.values()) clearTimeout(timer);
  }

  #dispatch(event: ConnectionEvent): void {
    const { state, effects } = transition(this.#state, event);
    this.#state = state;
    for (const effect of effects) this.#perform(effect);
    // The status is the state's (I6); only changes are reported, from `connecting` on.
    const status = state.phase === 'closed' ? this.#status : resolveStatus(state);
    if (status !== this.#status || this.kind !== this.#statusKind) {
      this.#status = status;
      this.#statusKind = this.kind;
      this.#options.onStatus(status, this.kind);
    }
  }

  #perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'connect': {
        if (effect.isReconnect) this.#options.onReconnect();
        // An `online` event may replace an attempt still in flight: it must not linger.
        this.#active?.close();
        this.#active = this.#open(effect.rung);
        break;
      }
      case 'closeActive':
        this.#active?.close();
        this.#active = undefined;
        break;
      case 'startTimer': {
        const { timer } = effect;
        clearTimeout(this.#timers.get(timer));
        this.#timers.set(
          timer,
          setTimeout(() => {
            this.#timers.delete(timer);
            this.#dispatch({ type: 'timer', timer });
          }, effect.delayMs),
        );
        break;
      }
      case 'openProbe':
        this.#options.onReconnect();
        this.#probe = this.#open(effect.rung);
        break;
      case 'closeProbe':
        this.#probe?.close();
        this.#probe = undefined;
        break;
      case 'promoteProbe':
        this.#active?.close();
        this.#active = this.#probe;
        this.#probe = undefined;
        break;
      case 'refreshToken':
        void this.#options.refreshToken().then(
          (isRefreshed) => this.#dispatch({ type: 'tokenRefreshed', isRefreshed, jitter: this.#random() }),
          () => this.#dispatch({ type: 'tokenRefreshed', isRefreshed: false, jitter: this.#random() }),
        );
        break;
    }
  }

  #open(rung: number): Transport {
    const transport: Transport = this.#options.create(
      kindOf(this.#state, rung),
      this.#listenerFor(() => transport),
    );
    transport.open();
    return transport;
  }

  /** Routes a transport's reports by its role now; reports of a replaced transport are stale and dropped. */
  #listenerFor(transport: () => Transport): TransportListener<Frame> {
    const isActive = () => transport() === this.#active;
    const isProbe = () => transport() === this.#probe;
    return {
      onOpen: () => {
        if (isActive()) this.#dispatch({ type: 'opened', nowMs: Date.now() });
        else if (isProbe()) this.#dispatch({ type: 'probeOpened', nowMs: Date.now() });
      },
      onError: (error) => {
        if (isActive()) {
          this.#options.onError(error);
          const failure = { code: error.code, retryable: error.retryable };
          this.#dispatch({ type: 'failed', nowMs: Date.now(), failure, jitter: this.#random() });
        } else if (isProbe()) {
          this.#dispatch({ type: 'probeFailed' });
        }
      },
      onFrame: (frame) => {
        if (!isActive() && !isProbe()) return;
        // Heartbeats and errors prove nothing: a server that is going away may still send them.
        const isStreamFrame = frame.op !== 'hb' && frame.op !== 'error';
        if (isActive() && isStreamFrame) this.#dispatch({ type: 'streamFrame' });
        this.#options.onFrame(frame);
      },
    };
  }
}
