import { type HeraldEvent, parseServerFrame, QUERY_PARAMS, webSocketUrl, withQuery } from '@herald/protocol';
import WebSocket from 'ws';
import { defineWire, WireSubscriber } from './wire.js';

/** `GET /v1/ws`: one socket, `{"op":"sub"}`, then `subscribed`, the missed events, `live`, live events. */
class WebSocketSubscriber extends WireSubscriber {
  #socket: WebSocket | undefined;

  async connect(): Promise<void> {
    const url = withQuery(webSocketUrl(this.target.url), { [QUERY_PARAMS.token]: this.target.token });
    const socket = new WebSocket(url);
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`the WebSocket upgrade was refused with HTTP ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
    socket.on('message', (data) => this.#receive(data.toString()));
    const epoch = this.epoch ?? undefined;
    socket.send(JSON.stringify({ op: 'sub', stream: this.stream, after: this.position, ...(epoch ? { epoch } : {}) }));
  }

  protected disconnect(): void {
    this.#socket?.terminate();
  }

  #receive(text: string): void {
    const frame = parseServerFrame(text);
    if (!frame || !('stream' in frame) || frame.stream !== this.stream) return;
    if (frame.op === 'subscribed') this.epoch = frame.epoch ?? this.epoch;
    else if (frame.op === 'event') {
      const { op: _op, ...event } = frame;
      this.addEvent(event as HeraldEvent);
    } else if (frame.op === 'live') this.markLive();
    else if (frame.op === 'reset') this.addReset(frame);
  }
}

export const webSocketWire = defineWire('websocket', WebSocketSubscriber);
