import type { IncomingMessage, Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { HeraldError } from '@herald/protocol';
import type { FastifyInstance } from 'fastify';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';

/** The longest shutdown spends accepting the connections queued in the kernel before the listener closes. */
const BACKLOG_DRAIN_MS = 100;
/**
 * How long open connections are kept once shutdown began, answering every request `503
 * shutting_down` with `Connection: close`. HTTP/1.1 cannot tell a client that an idle keep-alive
 * connection is going away: closing it at once resets the request the client is sending on it
 * (a publish it cannot know the fate of), while an answer with `Connection: close` is a clean end.
 */
const SHUTDOWN_LINGER_MS = 500;
/** How often the linger checks whether every connection has gone. */
const LINGER_POLL_INTERVAL_MS = 20;
/** How long in-flight requests may run once the linger ended before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often idle keep-alive sockets are closed after the linger. */
const IDLE_SWEEP_INTERVAL_MS = 100;
/** The Retry-After of a `shutting_down` answer: the client reconnects, to another node if there is one. */
const SHUTDOWN_RETRY_AFTER_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

function connectionCount(httpServer: Server): Promise<number> {
  return new Promise((resolve) => httpServer.getConnections((error, count) => resolve(error ? 0 : count)));
}

/** Resolves once the event loop has polled for I/O again: two check phases have a poll phase between them. */
function afterNextPoll(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/**
 * Accepts the connections the kernel has queued (their handshake done, perhaps their request sent)
 * and Node has not yet accepted. libuv accepts one connection per turn of the event loop, so this
 * turns the loop until a turn accepts none, for BACKLOG_DRAIN_MS at most (clients that keep
 * connecting are answered `503 shutting_down` meanwhile).
 */
async function acceptQueuedConnections(httpServer: Server): Promise<void> {
  let hasAccepted = true;
  const onConnection = () => {
    hasAccepted = true;
  };
  httpServer.on('connection', onConnection);
  const deadline = Date.now() + BACKLOG_DRAIN_MS;
  try {
    while (hasAccepted && Date.now() < deadline) {
      hasAccepted = false;
      await afterNextPoll();
    }
  } finally {
    httpServer.off('connection', onConnection);
  }
}

/**
 * Stops accepting connections, leaving the open ones as they are. A connection refused at connect
 * carried nothing, so a client or proxy may safely retry it elsewhere; but closing a listener
 * resets the connections the kernel has queued and Node not yet accepted, each with its request
 * perhaps already sent (its fate unknown to the client). So those are accepted first, and their
 * requests answered `503 shutting_down` like any other. The connections still queued when the
 * drain ends are reset: rarely one, unless clients reconnect in a tight loop faster than the one
 * accept per turn (docs/protocol.md "Shutdown"). `http.Server.close` would also close the idle
 * keep-alive connections at once, which the linger exists to avoid, hence net.Server's own close.
 * Fastify closes the server again later, and takes the "not running" answer that gets.
 */
async function stopAccepting(httpServer: Server): Promise<void> {
  await acceptQueuedConnections(httpServer);
  NetServer.prototype.close.call(httpServer);
}

/** Waits until no connection is open, for SHUTDOWN_LINGER_MS at most. */
async function lingerWhileConnected(httpServer: Server): Promise<void> {
  const deadline = Date.now() + SHUTDOWN_LINGER_MS;
  while (Date.now() < deadline && (await connectionCount(httpServer)) > 0) await sleep(LINGER_POLL_INTERVAL_MS);
}

/**
 * The connections that have not sent a request yet. Node's `closeIdleConnections` leaves them open
 * (to Node they may be sending their first request's headers), yet clients open such spares all
 * the time: fetch (undici) after aborting a streamed response, browsers' preconnects. Each would
 * hold the shutdown for the whole grace period.
 */
function trackUnusedConnections(httpServer: Server): Set<Socket> {
  const unused = new Set<Socket>();
  httpServer.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  // From its first request on, Node's own idle tracking applies (and the WebSocket transport's to
  // an upgraded socket). Not the socket's 'data': Node's parser reads the handle directly.
  httpServer.on('request', (request: IncomingMessage) => unused.delete(request.socket));
  httpServer.on('upgrade', (request: IncomingMessage) => unused.delete(request.socket));
  return unused;
}

/**
 * Closes keep-alive sockets as they go idle (Fastify closes only those idle when it starts, and a
 * client's next idle socket would hold the process for the keep-alive timeout) and sockets that
 * never sent a request, and cuts whatever is still open after the grace period; both stop once
 * the server has closed.
 */
function releaseConnections(httpServer: Server, unused: Set<Socket>): void {
  const closeIdle = () => {
    httpServer.closeIdleConnections();
    for (const socket of unused) socket.destroy();
  };
  closeIdle();
  const sweep = setInterval(closeIdle, IDLE_SWEEP_INTERVAL_MS);
  const cut = setTimeout(() => httpServer.closeAllConnections(), SHUTDOWN_GRACE_MS);
  sweep.unref();
  cut.unref();
  httpServer.once('close', () => {
    clearInterval(sweep);
    clearTimeout(cut);
  });
}

/**
 * Graceful shutdown on the HTTP side. From the moment shutdown begins, every request is answered
 * `503 shutting_down` with `Retry-After` and `Connection: close` before any of its work starts, so
 * a publish is either one begun earlier (stored and acknowledged: the log closes after the
 * publisher drains) or refused, never lost. When Herald owns the server (`ownsServer`), the
 * listener stops at once (a new connection is refused at connect) and open connections linger
 * (SHUTDOWN_LINGER_MS) before idle ones are closed.
 */
export function registerShutdownDrain(
  app: FastifyInstance,
  shutdown: Pick<ShutdownHooks, 'isShuttingDown'>,
  ownsServer: boolean,
): void {
  app.addHook('onRequest', async (_request, reply) => {
    if (!shutdown.isShuttingDown) return;
    reply.header('connection', 'close');
    throw new HeraldError('shutting_down', 'the server is shutting down', {
      details: { retryAfterMs: SHUTDOWN_RETRY_AFTER_MS },
    });
  });
  if (!ownsServer) return;
  const unused = trackUnusedConnections(app.server);
  // preClose runs before Fastify closes the listener and Node closes the idle connections.
  app.addHook('preClose', async () => {
    await stopAccepting(app.server);
    await lingerWhileConnected(app.server);
    releaseConnections(app.server, unused);
  });
}
