import { HeraldError } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HeraldContext } from '../herald-context.js';
import { HeartbeatWheel } from './heartbeat-wheel.js';
import { SseConnection, type SseConnectionHost } from './sse-connection.js';
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
  /** The labelled gauge, resolved once: each `labels()` call allocates a handle of bound methods. */
  #gauge: { inc(): void; dec(): void };
  #open = new Set<SseConnection>();
  /** What every connection shares, so that none holds an options object or closures of its own. */
  #host: SseConnectionHost;

  constructor(ctx: HeraldContext, options: TransportOptions) {
    this.#ctx = ctx;
    this.options = options;
    this.#gauge = ctx.metrics.connections.labels('sse');
    this.#host = {
      options,
      retryFrame: Buffer.from(`retry: ${options.sseRetryMs}\n\n`),
      corker: this.#corker,
      heartbeats: new HeartbeatWheel(options.heartbeatIntervalMs),
      closed: (connection) => {
        this.#gauge.dec();
        this.#open.delete(connection);
      },
    };
    ctx.shutdown.add(() => this.close());
  }

  /** Open SSE responses. */
  get connectionCount(): number {
    return this.#open.size;
  }

  /**
   * Starts an SSE response for `request`. Throws before anything is sent (so the route answers
   * with a plain HTTP error) when the server is shutting down or the client has too many
   * connections. `onClose` is called once when the response ends, whoever ended it.
   */
  open(request: FastifyRequest, reply: FastifyReply, onClose: () => void): SseConnection {
    if (this.#ctx.shutdown.isShuttingDown) throw new HeraldError('shutting_down', 'the server is shutting down');
    const release = this.#ctx.limits.connections.acquire(request.ip);
    const connection = new SseConnection(reply, this.#host, { principal: request.principal, release, onClose });
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
