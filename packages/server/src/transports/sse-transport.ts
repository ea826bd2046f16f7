import { HeraldError } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { onPrincipalExpiry } from '../auth/expiry-timer.js';
import type { HeraldContext } from '../herald-context.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { SseConnection } from './sse-connection.js';
import { TickCorker } from './tick-corker.js';
import type { TransportOptions } from './transport-options.js';

/**
 * The SSE side of the live transports: opens responses under the connection limit, ends each when
 * its token expires, and ends them all on shutdown once in-flight publishes are acknowledged (so
 * their events go out first).
 */
export class SseTransport {
  readonly options: TransportOptions;
  #ctx: HeraldContext;
  #corker = new TickCorker();
  #heartbeats: HeartbeatWheel;
  /** The labelled gauge, resolved once: each `labels()` call allocates a handle of bound methods. */
  #gauge: { inc(): void; dec(): void };
  #open = new Set<SseConnection>();

  constructor(ctx: HeraldContext, options: TransportOptions) {
    this.#ctx = ctx;
    this.options = options;
    this.#heartbeats = new HeartbeatWheel(options.heartbeatIntervalMs);
    this.#gauge = ctx.metrics.connections.labels('sse');
    ctx.shutdown.add(() => this.close());
  }

  /** Open SSE responses. */
  get connectionCount(): number {
    return this.#open.size;
  }

  /**
   * Starts an SSE response for `request`. Throws before anything is sent (so the route answers
   * with a plain HTTP error) when the server is shutting down or the client has too many connections.
   */
  open(request: FastifyRequest, reply: FastifyReply, onClose: () => void): SseConnection {
    if (this.#ctx.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
    const release = this.#ctx.limits.connections.acquire(request.ip);
    // At the token's `exp` the response ends: the client's reconnect must bring a valid token.
    const cancelExpiry = onPrincipalExpiry(request.principal, () => connection.end());
    const connection = new SseConnection(reply, {
      options: this.options,
      corker: this.#corker,
      heartbeats: this.#heartbeats,
      onClose: () => {
        cancelExpiry();
        onClose();
        release();
        this.#gauge.dec();
        this.#open.delete(connection);
      },
    });
    this.#gauge.inc();
    this.#open.add(connection);
    return connection;
  }

  /** Ends every open response, after the publishes in flight have been acknowledged. */
  async close(): Promise<void> {
    await this.#ctx.publisher.drain();
    this.#corker.flush();
    for (const connection of [...this.#open]) connection.end();
  }
}
