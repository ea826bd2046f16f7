import { type ClientFrame, HeraldError, type ServerFrame } from '@herald/protocol';
import type { Transport, TransportContext, TransportListener } from './transport.js';
import { WebSocketLink } from './websocket-link.js';

export { errorFromCloseCode, resolveWebSocketUrl, WEBSOCKET_DEAD_AFTER_MS } from './websocket-rules.js';

/** All subscriptions over one WebSocket (DESIGN "WebSocket protocol"). */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly #context: TransportContext;
  readonly #listener: TransportListener;
  readonly #link: WebSocketLink;
  #nextRef = 1;

  constructor(context: TransportContext, listener: TransportListener) {
    this.#context = context;
    this.#listener = listener;
    this.#link = new WebSocketLink(context, {
      onOpen: () => {
        listener.onOpen();
        for (const stream of context.streams()) this.add(stream);
      },
      onFrame: (frame) => this.#receive(frame),
      onError: (error) => listener.onError(error),
    });
  }

  open(): void {
    this.#link.open();
  }

  add(stream: string): void {
    const { after, epoch } = this.#context.position(stream);
    this.#send(epoch === null ? { op: 'sub', stream, after } : { op: 'sub', stream, after, epoch });
  }

  remove(stream: string): void {
    this.#send({ op: 'unsub', stream });
  }

  authenticate(token: string): void {
    this.#send({ op: 'auth', token });
  }

  close(): void {
    this.#link.close();
  }

  #send(frame: ClientFrame): void {
    if (this.#link.isOpen) this.#link.send({ ...frame, ref: this.#nextRef++ });
  }

  #receive(frame: ServerFrame): void {
    switch (frame.op) {
      case 'subscribed':
      case 'live':
      case 'event':
      case 'reset':
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
}
