import { parseServerFrame, type ServerFrame } from '@herald/protocol';
import WebSocket from 'ws';
import { ConditionWaiters } from './condition-waiters.js';

/** How a test WebSocket ended: the close code and reason the client saw. */
export interface WsClose {
  code: number;
  reason: string;
}

/** A WebSocket test client that records every server frame and can wait for one. */
export class WsTestClient {
  readonly socket: WebSocket;
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<WsClose>;
  #waiters = new ConditionWaiters();
  #nextRef = 1;
  #framesByStream = new Map<string, ServerFrame[]>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = parseServerFrame(data.toString());
      if (frame) this.#record(frame);
      this.#waiters.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#waiters.wake();
      });
    });
  }

  /** Opens `ws(s)://…/v1/ws` of the server at `baseUrl`; rejects with the HTTP status when refused. */
  static open(
    baseUrl: string,
    options: { token?: string; origin?: string; maxPayload?: number; autoPong?: boolean } = {},
  ): Promise<WsTestClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/v1/ws${options.token ? `?token=${options.token}` : ''}`;
    const socket = new WebSocket(url, {
      ...(options.origin ? { origin: options.origin } : {}),
      ...(options.maxPayload ? { maxPayload: options.maxPayload } : {}),
      // `false`: a hung client, which never answers the server's protocol pings.
      ...(options.autoPong === false ? { autoPong: false } : {}),
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new WsTestClient(socket)));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  /** Sends a frame object (or raw text) and returns the ref it was given. */
  send(frame: Record<string, unknown> | string): number {
    if (typeof frame === 'string') {
      this.socket.send(frame);
      return 0;
    }
    const ref = typeof frame.ref === 'number' ? frame.ref : this.#nextRef++;
    this.socket.send(JSON.stringify({ ...frame, ref }));
    return ref;
  }

  /** Frames about `stream`, in order. */
  framesOf(stream: string): ServerFrame[] {
    return this.#framesByStream.get(stream) ?? [];
  }

  /** The seqs of the event frames of `stream`, in order. */
  seqsOf(stream: string): number[] {
    return this.framesOf(stream).flatMap((frame) => (frame.op === 'event' ? [frame.seq] : []));
  }

  /** Resolves the first recorded frame matching `predicate` (waiting for it). */
  async waitFor<F extends ServerFrame>(predicate: (frame: ServerFrame) => frame is F, timeoutMs?: number): Promise<F>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs?: number): Promise<ServerFrame>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, timeoutMs = 10_000): Promise<ServerFrame> {
    await this.waitUntil(() => this.frames.some(predicate), timeoutMs);
    return this.frames.find(predicate)!;
  }

  /** The reply to `ref` (ack, pong, subscribed, unsubscribed or error). */
  reply(ref: number, timeoutMs?: number): Promise<ServerFrame> {
    return this.waitFor((frame) => 'ref' in frame && frame.ref === ref, timeoutMs);
  }

  /** Resolves once `condition` holds (checked after every frame and at close). */
  waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.#waiters.waitUntil(condition, timeoutMs, () => `last frames: ${JSON.stringify(this.frames.slice(-3))}`);
  }

  close(): void {
    this.socket.close();
  }

  #record(frame: ServerFrame): void {
    this.frames.push(frame);
    if (!('stream' in frame) || frame.stream === undefined) return;
    const frames = this.#framesByStream.get(frame.stream);
    if (frames) frames.push(frame);
    else this.#framesByStream.set(frame.stream, [frame]);
  }
}
