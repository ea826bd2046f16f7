import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { API_PATHS, HeraldError, isHeraldError } from '@herald/protocol';
import { WebSocketServer } from 'ws';
import { WebSocketConnection, type WebSocketConnectionDeps } from './websocket-connection.js';
import { WebSocketLiveness } from './websocket-liveness.js';
import { admitUpgrade, rejectUpgrade, type UpgradeAdmissionDeps } from './websocket-upgrade.js';

/** The WebSocket endpoint (DESIGN "WebSocket protocol"). */
export const WEBSOCKET_PATH = API_PATHS.webSocket;

/** What the WebSocket transport works with. */
export interface WebSocketTransportDeps extends WebSocketConnectionDeps, UpgradeAdmissionDeps {
  /** Largest frame accepted, in bytes; larger frames close the connection with 1009. */
  maxFrameBytes: number;
  /** How often each socket is pinged, in ms (the heartbeat interval); one silent for two is cut. */
  heartbeatIntervalMs: number;
}

/**
 * Owns `GET /v1/ws`: handles the HTTP server's `upgrade` itself (ws with `noServer`), so access,
 * Origin and connection limits are checked before the handshake. Its connections are live
 * connections: LiveConnections closes them on shutdown (1012, after in-flight publishes are acknowledged),
 * and WebSocketLiveness cuts those whose client stopped answering pings.
 */
export class WebSocketTransport {
  #deps: WebSocketTransportDeps;
  #server: WebSocketServer;
  #liveness: WebSocketLiveness;

  constructor(deps: WebSocketTransportDeps) {
    this.#deps = deps;
    this.#liveness = new WebSocketLiveness(deps.heartbeatIntervalMs);
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Off: event frames are pre-built once and shared by every socket (see websocket-frames.ts).
      perMessageDeflate: false,
      maxPayload: deps.maxFrameBytes,
    });
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

  async #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client may vanish while its token is checked; that must not become an uncaught error.
    const ignoreError = () => {};
    socket.on('error', ignoreError);
    let admission: Awaited<ReturnType<typeof admitUpgrade>>;
    try {
      admission = await admitUpgrade(request, this.#deps);
    } catch (error) {
      // Refusals the protocol expects (bad token, full) are the client's business; anything else is ours.
      if (!isHeraldError(error)) this.#deps.logger.error({ err: error }, 'WebSocket upgrade failed');
      this.#deps.dependencyFailures.report(error, 'WebSocket upgrade');
      rejectUpgrade(socket, error);
      return;
    }
    if (socket.destroyed) {
      admission.release();
      return;
    }
    socket.off('error', ignoreError);
    this.#server.handleUpgrade(request, socket, head, (ws) => {
      this.#liveness.add(ws);
      new WebSocketConnection(ws, this.#deps, admission);
    });
  }
}
