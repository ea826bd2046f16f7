import type WebSocket from 'ws';

/**
 * Slices of the sockets, each checked in its own sixteenth of the interval: a sweep of every
 * socket at once would write one ping per socket, and read as many pongs, in one burst (at 20,000
 * sockets, tens of ms of event loop in which no event is delivered), every interval.
 */
const SLICES_PER_INTERVAL = 16;

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
 * entry and two shared listeners, no timer or closure of its own. The sockets are dealt round the
 * slices as they open, and each timer turn checks one slice.
 */
export class WebSocketLiveness {
  readonly #sliceMs: number;
  /** Each open socket, in its slice, and whether it has answered since its last ping. */
  readonly #slices: Map<WebSocket, boolean>[] = Array.from({ length: SLICES_PER_INTERVAL }, () => new Map());
  readonly #answered: (this: WebSocket) => void;
  readonly #closed: (this: WebSocket) => void;
  #size = 0;
  #nextSlice = 0;
  #turn = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(intervalMs: number) {
    this.#sliceMs = Math.max(1, Math.floor(intervalMs / SLICES_PER_INTERVAL));
    const slices = this.#slices;
    // `this` is the socket that emitted: one listener serves every socket.
    this.#answered = function (this: WebSocket) {
      const slice = slices.find((candidate) => candidate.has(this));
      slice?.set(this, true);
    };
    const liveness = this;
    this.#closed = function (this: WebSocket) {
      liveness.#delete(this);
    };
  }

  /** Starts checking `ws` (an open socket); it is forgotten when it closes. */
  add(ws: WebSocket): void {
    // Counted as answered: its first check pings it, the one after judges the answer.
    this.#slices[this.#nextSlice]!.set(ws, true);
    this.#nextSlice = (this.#nextSlice + 1) % SLICES_PER_INTERVAL;
    this.#size += 1;
    ws.on('pong', this.#answered);
    ws.once('close', this.#closed);
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#check(), this.#sliceMs);
    // A liveness check never keeps the process alive on its own.
    this.#timer.unref();
  }

  #delete(ws: WebSocket): void {
    if (!this.#slices.some((slice) => slice.delete(ws))) return;
    this.#size -= 1;
    ws.off('pong', this.#answered);
    if (this.#size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Checks the turn's slice: each socket of it once per interval. */
  #check(): void {
    const slice = this.#slices[this.#turn]!;
    this.#turn = (this.#turn + 1) % SLICES_PER_INTERVAL;
    for (const [ws, hasAnswered] of slice) {
      if (!hasAnswered) {
        // No close handshake: a hung peer would not answer it either. Its `close` follows.
        ws.terminate();
        continue;
      }
      slice.set(ws, false);
      ws.ping();
    }
  }
}
