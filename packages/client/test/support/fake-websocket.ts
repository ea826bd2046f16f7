import type { ClientFrame, ServerFrame } from '@herald/protocol';
import type { WebSocketLike } from '../../src/types.js';

/**
 * A WebSocket the test drives by hand: `accept()` opens it, `push()` sends server frames,
 * `drop(code)` closes it from the server side. Every socket ever created is in `sockets`.
 */
export class FakeWebSocket implements WebSocketLike {
  static sockets: FakeWebSocket[] = [];
  readyState = 0;
  readonly url: string;
  readonly sent: ClientFrame[] = [];
  readonly #listeners = new Map<string, ((event: object) => void)[]>();

  constructor(url: string) {
    this.url = url;
    FakeWebSocket.sockets.push(this);
  }

  /** The most recently created socket. */
  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.sockets.at(-1);
    if (!socket) throw new Error('no WebSocket was created');
    return socket;
  }

  static reset(): void {
    FakeWebSocket.sockets = [];
  }

  addEventListener(type: string, listener: (event: object) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  accept(): void {
    this.readyState = 1;
    this.#dispatch('open', {});
  }

  push(frame: ServerFrame): void {
    this.#dispatch('message', { data: JSON.stringify(frame) });
  }

  /** Closes from the server side (or refuses the upgrade, when never accepted). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    // Like `ws`, an 'error' nobody listens to is thrown.
    if (!this.#listeners.get('error')?.length) throw new Error('unhandled WebSocket error event');
    this.#dispatch('error', {});
    this.#dispatch('close', { code, reason });
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(): void {
    this.readyState = 3;
  }

  #dispatch(type: string, event: object): void {
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }

  /** The sub frames sent so far. */
  subs(): Extract<ClientFrame, { op: 'sub' }>[] {
    return this.sent.filter((frame): frame is Extract<ClientFrame, { op: 'sub' }> => frame.op === 'sub');
  }
}
