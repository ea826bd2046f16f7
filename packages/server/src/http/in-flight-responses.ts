import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The responses each connection still owes, so that bytes Node's HTTP parser refuses after a
 * request (garbage, or a request pipelined after `Connection: close`) are answered only once the
 * requests before them have been: a publish already under way is stored, and its client must hear
 * so, not the parse error alone (review finding).
 */
export class InFlightResponses {
  readonly #owed = new WeakMap<Duplex, number>();
  readonly #whenSettled = new WeakMap<Duplex, () => void>();

  /** Counts every request `server` receives until its response has finished or its connection closed. */
  track(server: Server): void {
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const { socket } = request;
      this.#owed.set(socket, (this.#owed.get(socket) ?? 0) + 1);
      response.once('close', () => this.#settle(socket));
    });
  }

  /** Runs `then` once `socket` owes no response: at once when it owes none. */
  whenSettled(socket: Duplex, then: () => void): void {
    if (!this.#owed.get(socket)) then();
    else this.#whenSettled.set(socket, then);
  }

  #settle(socket: Duplex): void {
    const owed = (this.#owed.get(socket) ?? 1) - 1;
    this.#owed.set(socket, owed);
    if (owed > 0) return;
    const then = this.#whenSettled.get(socket);
    this.#whenSettled.delete(socket);
    then?.();
  }
}
