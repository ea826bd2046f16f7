import { type ClientFrame, HeraldError, parseServerFrame, type ServerFrame } from '@herald/protocol';
import { toHeraldError } from '../http-api.js';
import type { WebSocketLike } from '../types.js';
import type { TransportContext } from './transport.js';
import { errorFromCloseCode, resolveWebSocketUrl, WEBSOCKET_DEAD_AFTER_MS } from './websocket-rules.js';

const OPEN = 1;

/** What a WebSocketLink reports; after `onError` it reports nothing more. */
export interface WebSocketLinkHandlers {
  onOpen(): void;
  /** Every well-formed server frame (others are dropped). */
  onFrame(frame: ServerFrame): void;
  onError(error: HeraldError): void;
}

/**
 * One socket to `/v1/ws` under the client's rules, whatever travels over it (the client's
 * streams, a live feed): the token as `?token=`, any message (or heartbeat) postpones the
 * dead-connection timer, and a close is read as the error its code stands for. Single-use.
 */
export class WebSocketLink {
  readonly #context: Pick<TransportContext, 'url' | 'WebSocket' | 'token'>;
  readonly #handlers: WebSocketLinkHandlers;
  #socket: WebSocketLike | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #isDone = false;

  constructor(context: Pick<TransportContext, 'url' | 'WebSocket' | 'token'>, handlers: WebSocketLinkHandlers) {
    this.#context = context;
    this.#handlers = handlers;
  }

  open(): void {
    void this.#connect();
  }

  /** Whether frames can be sent now. */
  get isOpen(): boolean {
    return !this.#isDone && this.#socket?.readyState === OPEN;
  }

  /** Sends a frame while the socket is open; dropped otherwise (the next connection starts over). */
  send(frame: ClientFrame): void {
    if (this.isOpen) this.#socket!.send(JSON.stringify(frame));
  }

  /** Closes the socket silently. */
  close(): void {
    if (this.#isDone) return;
    this.#isDone = true;
    clearTimeout(this.#deadTimer);
    const socket = this.#socket;
    if (!socket) return;
    try {
      socket.close(1000);
    } catch {
      // Closing a socket that is still connecting throws in some implementations; it is dropped either way.
    }
  }

  async #connect(): Promise<void> {
    const WebSocketClass = this.#context.WebSocket;
    if (!WebSocketClass) {
      this.fail(new HeraldError('unavailable', 'no WebSocket implementation: pass the WebSocket option'));
      return;
    }
    let socket: WebSocketLike;
    try {
      const token = await this.#context.token();
      if (this.#isDone) return;
      socket = new WebSocketClass(resolveWebSocketUrl(this.#context.url, token));
    } catch (cause) {
      this.fail(toHeraldError(cause));
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#isDone) return;
      this.#keepAlive();
      this.#handlers.onOpen();
    });
    socket.addEventListener('message', (event) => this.#receive((event as { data?: unknown }).data));
    socket.addEventListener('close', (event) => {
      const { code = 1006, reason = '' } = event as { code?: number; reason?: string };
      this.fail(errorFromCloseCode(code, reason));
    });
    // An error is always followed by a close, which reports it; the listener must exist all the same,
    // as `ws` throws an 'error' event nobody listens to.
    socket.addEventListener('error', () => {});
  }

  #receive(data: unknown): void {
    if (this.#isDone) return;
    this.#keepAlive();
    const frame = parseServerFrame(String(data));
    if (frame) this.#handlers.onFrame(frame);
  }

  #keepAlive(): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => {
      this.fail(new HeraldError('unavailable', 'no message or heartbeat for too long'));
    }, WEBSOCKET_DEAD_AFTER_MS);
  }

  /** Ends the link with `error`, as a dropped connection would (its owner's too, for a fatal frame). */
  fail(error: HeraldError): void {
    if (this.#isDone) return;
    this.close();
    this.#handlers.onError(error);
  }
}
