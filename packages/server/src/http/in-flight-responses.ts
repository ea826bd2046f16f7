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
  readonly #latest = new WeakMap<Duplex, IncomingMessage>();
  readonly #whenSettled = new WeakMap<Duplex, { then: () => void; owedAtMost: number }>();

  /** Counts every request `server` receives until its response has finished or its connection closed. */
  track(server: Server): void {
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const { socket } = request;
      this.#owed.set(socket, (this.#owed.get(socket) ?? 0) + 1);
      this.#latest.set(socket, request);
      response.once('close', () => this.#settle(socket));
    });
  }

  /**
   * Runs `then` once `socket` owes no response but, when the bytes refused belong to the body of its
   * latest request (a broken chunk), that one: its body never ends, so it is never answered
   * otherwise (review finding: such connections hung open). At once when nothing else is owed.
   */
  whenSettled(socket: Duplex, then: () => void): void {
    const owedAtMost = this.#latest.get(socket)?.complete === false ? 1 : 0;
    if ((this.#owed.get(socket) ?? 0) <= owedAtMost) then();
    else this.#whenSettled.set(socket, { then, owedAtMost });
  }

  #settle(socket: Duplex): void {
    const owed = (this.#owed.get(socket) ?? 1) - 1;
    this.#owed.set(socket, owed);
    const waiting = this.#whenSettled.get(socket);
    if (waiting === undefined || owed > waiting.owedAtMost) return;
    this.#whenSettled.delete(socket);
    waiting.then();
  }
}
