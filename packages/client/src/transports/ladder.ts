import type { HeraldError } from '@herald/protocol';
import { Backoff } from '../backoff.js';
import type { ConnectionStatus, TransportKind } from '../types.js';
import { isPushTransport, type Transport, type TransportFrame, type TransportListener } from './transport.js';

/** Consecutive failures of one transport after which the ladder moves one rung down. */
export const FALLBACK_AFTER_FAILURES = 2;
/** A connection that lived this long proved its wire works: its failure does not count towards a fallback, in ms. */
export const STABLE_CONNECTION_MS = 10_000;
/** How long a probe of a better transport may take to open before it is abandoned, in ms. */
export const PROBE_TIMEOUT_MS = 10_000;

/** What the ladder needs from the client. */
export interface LadderOptions {
  /** Transports in preference order (the rungs). */
  kinds: readonly TransportKind[];
  create(kind: TransportKind, listener: TransportListener): Transport;
  /** Every frame of the active transport or of a probe. */
  onFrame(frame: TransportFrame): void;
  onStatus(status: ConnectionStatus, kind: TransportKind): void;
  /** A failure, after which the ladder retries by itself. */
  onError(error: HeraldError): void;
  /** Counts a connection attempt after the first. */
  onReconnect(): void;
  /** Fetches a fresh token before reconnecting after `token_expired`; resolves false when that is impossible. */
  refreshToken(): Promise<boolean>;
  probeIntervalMs: number;
  random?: () => number;
}

/**
 * Chooses the transport. State machine per rung:
 *
 *   connecting ──open──▶ open ──error──▶ waiting (backoff) ──▶ connecting
 *        └──────────error───────────────────┘
 *
 * - A connection is healthy once it delivers its first stream frame (`subscribed`, an event, `live`,
 *   a page…), not merely once it opens: that resets the backoff, so the first retry after losing it
 *   is short (seed 003: "Live" again soon after a restart), while a server that accepts connections
 *   and drops them before answering still meets a growing backoff.
 * - A rung that fails FALLBACK_AFTER_FAILURES times in a row without a stable connection, or is
 *   refused outright (a non-retryable error), hands over to the next rung (after the last: the
 *   first again, so a client never gives up).
 * - Close 1012 (`shutting_down`), `token_expired` (after a refresh) and the browser's `online` event
 *   reconnect at once; other failures wait a full-jitter backoff (500 ms base, 30 s cap).
 * - Below the first rung, every `probeIntervalMs` the rung above is opened beside the current one;
 *   when it opens it takes over. Overlapping deliveries are harmless: the subscription drops duplicates.
 */
export class TransportLadder {
  readonly #options: LadderOptions;
  readonly #backoff: Backoff;
  readonly #streams = new Set<string>();
  #rung = 0;
  #active: Transport | undefined;
  #isOpen = false;
  #isHealthy = false;
  #openedAt = 0;
  #failures = 0;
  #isRetrying = false;
  #isOffline = false;
  #isClosed = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #probe: Transport | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: LadderOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.random);
  }

  /** The rung in use (connected or not). */
  get kind(): TransportKind {
    return this.#options.kinds[this.#rung] ?? 'websocket';
  }

  /** Starts delivering a stream (connecting on first use). */
  add(stream: string): void {
    this.#streams.add(stream);
    if (!this.#active && this.#retryTimer === undefined && !this.#isClosed) this.#connect();
    this.#active?.add(stream);
    this.#probe?.add(stream);
  }

  /** Stops delivering a stream. */
  remove(stream: string): void {
    this.#streams.delete(stream);
    this.#active?.remove(stream);
    this.#probe?.remove(stream);
  }

  /** The streams being delivered. */
  streams(): string[] {
    return [...this.#streams];
  }

  /** Network is back (browser `online`): skip the backoff wait. */
  reconnectNow(): void {
    this.#isOffline = false;
    if (this.#isOpen || this.#isClosed || !this.#active) return;
    this.#backoff.reset();
    this.#scheduleConnect(0);
  }

  /** The browser reports no network. */
  setOffline(): void {
    this.#isOffline = true;
    this.#emitStatus();
  }

  /** Hands a refreshed token to the live connection. */
  authenticate(token: string): void {
    this.#active?.authenticate?.(token);
  }

  close(): void {
    this.#isClosed = true;
    clearTimeout(this.#retryTimer);
    this.#stopProbe();
    this.#active?.close();
    this.#active = undefined;
  }

  #connect(): void {
    this.#retryTimer = undefined;
    if (this.#isClosed) return;
    if (this.#active) this.#options.onReconnect();
    // `reconnectNow` may replace an attempt still in flight: it must not linger.
    this.#active?.close();
    const transport: Transport = this.#options.create(
      this.kind,
      this.#listenerFor(() => transport),
    );
    this.#active = transport;
    this.#isOpen = false;
    this.#isHealthy = false;
    transport.open();
  }

  /** Routes a transport's reports by its role now; reports of a replaced transport are stale and dropped. */
  #listenerFor(transport: () => Transport): TransportListener {
    return {
      onOpen: () => {
        if (transport() === this.#active) this.#opened();
        else if (transport() === this.#probe) this.#promote(transport());
      },
      onError: (error) => {
        if (transport() === this.#active) void this.#failed(error);
        else if (transport() === this.#probe) this.#scheduleProbe();
      },
      onFrame: (frame) => {
        if (transport() === this.#active) this.#heard(frame);
        if (transport() === this.#active || transport() === this.#probe) this.#options.onFrame(frame);
      },
    };
  }

  #opened(): void {
    this.#isOpen = true;
    this.#isRetrying = false;
    this.#openedAt = Date.now();
    this.#emitStatus();
    if (this.#rung > 0) this.#scheduleProbe();
  }

  #heard(frame: TransportFrame): void {
    // Heartbeats and errors prove nothing: a server that is going away may still send them.
    const isStreamFrame = frame.op !== 'hb' && frame.op !== 'error';
    if (this.#isHealthy || !this.#isOpen || !isStreamFrame) return;
    this.#isHealthy = true;
    this.#backoff.reset();
  }

  async #failed(error: HeraldError): Promise<void> {
    const wasStable = this.#isOpen && Date.now() - this.#openedAt >= STABLE_CONNECTION_MS;
    this.#active?.close();
    this.#isOpen = false;
    this.#isHealthy = false;
    this.#stopProbe();
    this.#options.onError(error);
    if (wasStable) this.#failures = 0;
    if (error.code === 'shutting_down') return this.#retry(0);
    if (error.code === 'token_expired' && (await this.#options.refreshToken())) return this.#retry(0);
    // A refusal (a proxy's 403, a policy close) will not change on retry: this wire is blocked.
    this.#failures = error.retryable ? this.#failures + 1 : FALLBACK_AFTER_FAILURES;
    if (this.#failures >= FALLBACK_AFTER_FAILURES) {
      this.#failures = 0;
      this.#rung = (this.#rung + 1) % this.#options.kinds.length;
    }
    this.#retry(this.#backoff.next());
  }

  #retry(delayMs: number): void {
    this.#isRetrying = true;
    this.#emitStatus();
    this.#scheduleConnect(delayMs);
  }

  #scheduleConnect(delayMs: number): void {
    if (this.#isClosed) return;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #scheduleProbe(): void {
    this.#stopProbe();
    this.#probeTimer = setTimeout(() => this.#startProbe(), this.#options.probeIntervalMs);
  }

  #startProbe(): void {
    const kind = this.#options.kinds[this.#rung - 1];
    if (kind === undefined || !this.#isOpen) return;
    this.#options.onReconnect();
    const probe: Transport = this.#options.create(
      kind,
      this.#listenerFor(() => probe),
    );
    this.#probe = probe;
    this.#probeTimer = setTimeout(() => this.#scheduleProbe(), PROBE_TIMEOUT_MS);
    probe.open();
  }

  #promote(probe: Transport): void {
    clearTimeout(this.#probeTimer);
    this.#probe = undefined;
    this.#active?.close();
    this.#active = probe;
    this.#rung -= 1;
    this.#failures = 0;
    this.#backoff.reset();
    this.#opened();
  }

  #stopProbe(): void {
    clearTimeout(this.#probeTimer);
    this.#probe?.close();
    this.#probe = undefined;
  }

  #emitStatus(): void {
    this.#options.onStatus(this.#resolveStatus(), this.kind);
  }

  #resolveStatus(): ConnectionStatus {
    if (this.#isOffline) return 'offline';
    if (this.#isOpen) return isPushTransport(this.kind) ? 'live' : 'polling';
    return this.#isRetrying ? 'reconnecting' : 'connecting';
  }
}
