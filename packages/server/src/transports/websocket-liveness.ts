import type WebSocket from 'ws';

/**
 * Protocol-level liveness of a server's WebSockets (docs/protocol.md "Presence"): every
 * `intervalMs` each socket is sent a ping (RFC 6455 control frame, answered by the WebSocket
 * implementation itself: browsers, `ws`, undici), and one that has not answered the previous
 * ping by then is terminated. A hung client (a stopped process whose kernel keeps the TCP
 * connection open) reads nothing and answers nothing, and the idle heartbeats it is sent are too
 * small to make it a slow consumer: without this its subscriptions, and its presence, would live
 * on. A client that stops answering is cut within two intervals of its last answer, and its
 * `close` ends its subscriptions.
 *
 * One timer for every socket of the server, as the heartbeat wheel: an idle socket costs a map
 * entry and two shared listeners, no timer or closure of its own.
 */
export class WebSocketLiveness {
  readonly #intervalMs: number;
  /** Each open socket, and whether it has answered since its last ping. */
  readonly #sockets = new Map<WebSocket, boolean>();
  readonly #answered: (this: WebSocket) => void;
  readonly #closed: (this: WebSocket) => void;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
    const sockets = this.#sockets;
    // `this` is the socket that emitted: one listener serves every socket.
    this.#answered = function (this: WebSocket) {
      if (sockets.has(this)) sockets.set(this, true);
    };
    const liveness = this;
    this.#closed = function (this: WebSocket) {
      liveness.#delete(this);
    };
  }

  /** Starts checking `ws` (an open socket); it is forgotten when it closes. */
  add(ws: WebSocket): void {
    // Counted as answered: its first check pings it, the one after judges the answer.
    this.#sockets.set(ws, true);
    ws.on('pong', this.#answered);
    ws.once('close', this.#closed);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#check(), this.#intervalMs);
    // A liveness check never keeps the process alive on its own.
    this.#timer.unref();
  }

  #delete(ws: WebSocket): void {
    this.#sockets.delete(ws);
    ws.off('pong', this.#answered);
    if (this.#sockets.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    for (const [ws, hasAnswered] of this.#sockets) {
      if (!hasAnswered) {
        // No close handshake: a hung peer would not answer it either. Its `close` follows.
        ws.terminate();
        continue;
      }
      this.#sockets.set(ws, false);
      ws.ping();
    }
  }
}
