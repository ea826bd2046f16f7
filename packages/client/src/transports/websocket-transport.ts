import {
  type ClientFrame,
  errorCodeOfClose,
  HEARTBEAT_INTERVAL_MS,
  HeraldError,
  parseServerFrame,
  QUERY_PARAMS,
  webSocketUrl,
  withQuery,
} from '@herald/protocol';
import { toHeraldError } from '../http-api.js';
import type { WebSocketLike } from '../types.js';
import type { Transport, TransportContext, TransportListener } from './transport.js';

/**
 * Silence after which the socket counts as dead, in ms: the server sends `hb` after 15 s idle, so
 * two missed heartbeats plus slack mean a wedged connection that the OS has not noticed.
 */
export const WEBSOCKET_DEAD_AFTER_MS = 2 * HEARTBEAT_INTERVAL_MS + 5_000;

const OPEN = 1;

/** The error a close code stands for; normal and abnormal closes are a retryable `unavailable`. */
export function errorFromCloseCode(code: number, reason: string): HeraldError {
  return new HeraldError(errorCodeOfClose(code) ?? 'unavailable', reason || `WebSocket closed (${code})`, {
    details: { closeCode: code },
  });
}

/** The `/v1/ws` URL for a base URL (`http` → `ws`, `https` → `wss`), with `?token=` as browsers cannot set headers. */
export function resolveWebSocketUrl(baseUrl: string, token: string | undefined): string {
  return withQuery(webSocketUrl(baseUrl), { [QUERY_PARAMS.token]: token || undefined });
}

/** All subscriptions over one WebSocket (DESIGN "WebSocket protocol"). */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly #context: TransportContext;
  readonly #listener: TransportListener;
  #socket: WebSocketLike | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  #nextRef = 1;
  #isDone = false;

  constructor(context: TransportContext, listener: TransportListener) {
    this.#context = context;
    this.#listener = listener;
  }

  open(): void {
    void this.#connect();
  }

  async #connect(): Promise<void> {
    const WebSocketClass = this.#context.WebSocket;
    if (!WebSocketClass) {
      this.#fail(new HeraldError('unavailable', 'no WebSocket implementation: pass the WebSocket option'));
      return;
    }
    let socket: WebSocketLike;
    try {
      const token = await this.#context.token();
      if (this.#isDone) return;
      socket = new WebSocketClass(resolveWebSocketUrl(this.#context.url, token));
    } catch (cause) {
      this.#fail(toHeraldError(cause));
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#isDone) return;
      this.#keepAlive();
      this.#listener.onOpen();
      for (const stream of this.#context.streams()) this.add(stream);
    });
    socket.addEventListener('message', (event) => this.#receive((event as { data?: unknown }).data));
    socket.addEventListener('close', (event) => {
      const { code = 1006, reason = '' } = event as { code?: number; reason?: string };
      this.#fail(errorFromCloseCode(code, reason));
    });
    // An error is always followed by a close, which reports it; the listener must exist all the same,
    // as `ws` throws an 'error' event nobody listens to.
    socket.addEventListener('error', () => {});
  }

  add(stream: string): void {
    const { after, epoch } = this.#context.position(stream);
    const { label } = this.#context;
    this.#send({
      op: 'sub',
      stream,
      after,
      ...(epoch === null ? {} : { epoch }),
      ...(this.#context.wantsPresence(stream) ? { presence: true } : {}),
      ...(label === undefined ? {} : { label }),
    });
  }

  remove(stream: string): void {
    this.#send({ op: 'unsub', stream });
  }

  authenticate(token: string): void {
    this.#send({ op: 'auth', token });
  }

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

  #send(frame: ClientFrame): void {
    if (this.#isDone || this.#socket?.readyState !== OPEN) return;
    this.#socket.send(JSON.stringify({ ...frame, ref: this.#nextRef++ }));
  }

  #receive(data: unknown): void {
    if (this.#isDone) return;
    this.#keepAlive();
    const frame = parseServerFrame(String(data));
    if (!frame) return;
    switch (frame.op) {
      case 'subscribed':
      case 'live':
      case 'event':
      case 'reset':
      case 'presence':
      case 'hb':
        this.#listener.onFrame(frame);
        break;
      case 'error':
        this.#listener.onFrame({
          op: 'error',
          stream: frame.stream,
          error: new HeraldError(frame.code, frame.message),
        });
        break;
    }
  }

  #keepAlive(): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => {
      this.#fail(new HeraldError('unavailable', 'no message or heartbeat for too long'));
    }, WEBSOCKET_DEAD_AFTER_MS);
  }

  #fail(error: HeraldError): void {
    if (this.#isDone) return;
    this.close();
    this.#listener.onError(error);
  }
}
