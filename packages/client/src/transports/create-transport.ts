import type { TransportKind } from '../types.js';
import { createLongPollTransport } from './longpoll-transport.js';
import { createPollTransport } from './poll-transport.js';
import { SseTransport } from './sse-transport.js';
import type { Transport, TransportContext, TransportListener } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

/** A fresh transport of `kind`. */
export function createTransport(
  kind: TransportKind,
  context: TransportContext,
  listener: TransportListener,
): Transport {
  switch (kind) {
    case 'websocket':
      return new WebSocketTransport(context, listener);
    case 'sse':
      return new SseTransport(context, listener);
    case 'longpoll':
      return createLongPollTransport(context, listener);
    case 'poll':
      return createPollTransport(context, listener);
  }
}
