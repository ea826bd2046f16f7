import { HeraldError } from '@herald/protocol';
import type { Principal } from '../auth/principal.js';
import type { ConnectionLimiter } from '../limits/connection-limiter.js';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { LiveConnection, type LiveConnectionHost, type LiveWire } from './live-connection.js';
import { TickCorker } from './tick-corker.js';
import type { TransportOptions } from './transport-options.js';

/** The wires a live connection may run over, as labelled in `herald_connections`. */
export type LiveWireKind = 'websocket' | 'sse';

/** What the registry works with. */
export interface LiveConnectionsDeps {
  shutdown: ShutdownHooks;
  /** Long-lived connections per client IP. */
  connections: ConnectionLimiter;
  /** Drained before connections end at shutdown, so that their events go out first. */
  publisher: { drain(): Promise<void> };
  /** `herald_connections`, by transport. */
  gauge: { labels(transport: LiveWireKind): { inc(): void; dec(): void } };
}

/** What one connection is opened with. */
export interface LiveOpenOptions {
  principal: Principal;
  /** The connection's place under the per-IP limit (from `admit`). */
  release: () => void;
  /** Called once when the connection ends, whoever ended it. */
  onEnd: () => void;
}

/**
 * Every live connection of a server, whatever its wire: admission (shutdown, the per-IP limit,
 * which held long-polls count against too),
 * the one heartbeat wheel and tick corker they share, the `herald_connections` gauge, and graceful
 * shutdown: once the publishes in flight are acknowledged, every connection ends (`shutdown`:
 * WebSocket 1012, SSE end).
 */
export class LiveConnections implements LiveConnectionHost {
  readonly maxBufferedBytes: number;
  readonly corker = new TickCorker();
  readonly heartbeats: HeartbeatWheel;
  #deps: LiveConnectionsDeps;
  #open = new Map<LiveConnection, LiveWireKind>();
  /** Resolved once: each `labels()` call allocates a handle of bound methods. */
  #gauges: Record<LiveWireKind, { inc(): void; dec(): void }>;

  constructor(deps: LiveConnectionsDeps, options: Pick<TransportOptions, 'heartbeatIntervalMs' | 'maxBufferedBytes'>) {
    this.#deps = deps;
    this.maxBufferedBytes = options.maxBufferedBytes;
    this.heartbeats = new HeartbeatWheel(options.heartbeatIntervalMs);
    this.#gauges = { websocket: deps.gauge.labels('websocket'), sse: deps.gauge.labels('sse') };
    deps.shutdown.add(() => this.close());
  }

  /** Throws `shutting_down` once shutdown has begun, before anything is sent. */
  assertAccepting(): void {
    if (this.#deps.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
  }

  /**
   * Counts a new long-lived connection from `ip` (a WebSocket, an SSE response, a held long-poll);
   * throws `too_many_connections` at the limit. Returns its release.
   */
  admit(ip: string): () => void {
    return this.#deps.connections.acquire(ip);
  }

  /** Opens a connection over `wire` (see LiveConnection). */
  open(kind: LiveWireKind, wire: LiveWire, options: LiveOpenOptions): LiveConnection {
    const connection = new LiveConnection(this, wire, options);
    this.#open.set(connection, kind);
    this.#gauges[kind].inc();
    return connection;
  }

  closed(connection: LiveConnection): void {
    const kind = this.#open.get(connection);
    if (kind === undefined) return;
    this.#open.delete(connection);
    this.#gauges[kind].dec();
  }

  /** Ends every connection, after the publishes in flight have been acknowledged. */
  async close(): Promise<void> {
    await this.#deps.publisher.drain();
    this.corker.flush();
    await Promise.all([...this.#open.keys()].map((connection) => connection.end('shutdown')));
  }
}
