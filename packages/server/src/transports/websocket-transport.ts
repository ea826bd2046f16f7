import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES, DEFAULT_MAX_PAYLOAD_BYTES, HeraldError, isHeraldError } from '@herald/protocol';
import { WebSocketServer } from 'ws';
import type { HeraldContext } from '../herald-context.js';
import { TickCorker } from './tick-corker.js';
import type { TransportOptions } from './transport-options.js';
import { WebSocketConnection } from './websocket-connection.js';
import { admitUpgrade, rejectUpgrade } from './websocket-upgrade.js';

/** The WebSocket endpoint (DESIGN "WebSocket protocol"). */
export const WEBSOCKET_PATH = '/v1/ws';
/** Envelope allowed around the largest event in a `pub` frame. */
const FRAME_ENVELOPE_BYTES = 4096;
/** How long shutdown waits for clients to answer the 1012 close before cutting them. */
const SHUTDOWN_CLOSE_WAIT_MS = 1000;

/**
 * Owns `GET /v1/ws`: handles the HTTP server's `upgrade` itself (ws with `noServer`), so access,
 * Origin and connection limits are checked before the handshake, and keeps the open connections
 * for shutdown (1012, after in-flight publishes are acknowledged).
 */
export class WebSocketTransport {
  #ctx: HeraldContext;
  #options: TransportOptions;
  #server: WebSocketServer;
  #corker = new TickCorker();
  #open = new Set<WebSocketConnection>();
  // Resolved once: each `labels()` call allocates bound functions a connection would keep alive.
  #gauge: { inc(): void; dec(): void };

  constructor(ctx: HeraldContext, options: TransportOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#gauge = ctx.metrics.connections.labels('websocket');
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Off: event frames are pre-built once and shared by every socket (see websocket-frames.ts).
      perMessageDeflate: false,
      maxPayload:
        options.maxFrameBytes ?? (ctx.limits.event.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES) + FRAME_ENVELOPE_BYTES,
    });
    ctx.shutdown.add(() => this.close());
  }

  /** Open WebSocket connections. */
  get connectionCount(): number {
    return this.#open.size;
  }

  /** Serves WebSocket upgrades of `server` on WEBSOCKET_PATH. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const isOurs = new URL(request.url ?? '/', 'http://herald.invalid').pathname === WEBSOCKET_PATH;
      if (isOurs) void this.#upgrade(request, socket, head);
      // An embedding app may serve upgrades of its own; only a server with no one else answers 404.
      else if (server.listenerCount('upgrade') === 1)
        rejectUpgrade(socket, new HeraldError('not_found', 'no WebSocket here'));
    });
  }

  /** Closes every connection with 1012 once the publishes in flight are acknowledged. */
  async close(): Promise<void> {
    await this.#ctx.publisher.drain();
    this.#corker.flush();
    const closing = [...this.#open].map((connection) =>
      connection.closeAndWait(CLOSE_CODES.serviceRestart, 'server restart', SHUTDOWN_CLOSE_WAIT_MS),
    );
    await Promise.all(closing);
  }

  async #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client may vanish while its token is checked; that must not become an uncaught error.
    const ignoreError = () => {};
    socket.on('error', ignoreError);
    let admission: Awaited<ReturnType<typeof admitUpgrade>>;
    try {
      admission = await admitUpgrade(request, this.#ctx);
    } catch (error) {
      // Refusals the protocol expects (bad token, full) are the client's business; anything else is ours.
      if (!isHeraldError(error)) this.#ctx.logger.error({ err: error }, 'WebSocket upgrade failed');
      this.#ctx.dependencyFailures.report(error, 'WebSocket upgrade');
      rejectUpgrade(socket, error);
      return;
    }
    if (socket.destroyed) {
      admission.release();
      return;
    }
    socket.off('error', ignoreError);
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      const gauge = this.#gauge;
      const connection = new WebSocketConnection(ws, {
        ctx: this.#ctx,
        options: this.#options,
        corker: this.#corker,
        principal: admission.principal,
        clientIp: admission.clientIp,
        onClose: () => {
          admission.release();
          gauge.dec();
          this.#open.delete(connection);
        },
      });
      gauge.inc();
      this.#open.add(connection);
    });
  }
}
