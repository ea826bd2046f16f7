import type { ServerResponse } from 'node:http';
import { SSE_HEARTBEAT } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import { onPrincipalExpiry } from '../auth/on-principal-expiry.js';
import type { Principal } from '../auth/principal.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import { BatchedWriter } from './batched-writer.js';
import type { HeartbeatMember, HeartbeatWheel } from './heartbeat-wheel.js';
import { memoizeLast } from './last-value-memo.js';
import { isSlowConsumer, waitForRoom } from './send-buffer.js';
import type { TickCorker } from './tick-corker.js';
import type { TransportOptions } from './transport-options.js';

const HEARTBEAT_BYTES = Buffer.from(SSE_HEARTBEAT);

/** An event's SSE chunk as bytes, encoded once however many responses it is written to. */
export const sseEventBytes = memoizeLast((event: DeliveredEvent) => Buffer.from(event.sseFrame));

/** What every SseConnection of a transport shares: one object, not one per connection. */
export interface SseConnectionHost {
  readonly options: TransportOptions;
  /** The `retry:` line every response starts with, as bytes (see SseConnection's constructor). */
  readonly retryFrame: Buffer;
  readonly corker: TickCorker;
  /** Sends the connections' heartbeats while they are idle. */
  readonly heartbeats: HeartbeatWheel;
  /** Called once when a response ends, whoever ended it. */
  closed(connection: SseConnection): void;
}

/** What one SseConnection is opened with (read in the constructor, not kept as an object). */
export interface SseConnectionInit {
  /** Whose token ends the response at its `exp`: the client's reconnect must bring a valid one. */
  principal: Principal;
  /** Gives back the connection's place under the per-IP connection limit (idempotent). */
  release: () => void;
  /** What the route does when the response ends (closing its subscriptions). */
  onClose: () => void;
}

/**
 * One SSE response: the head and `retry:` first, then frames, a `: hb` comment when idle, and the
 * slow-consumer bound. A response whose client stops reading is destroyed once more than
 * `maxBufferedBytes` stay queued (see isSlowConsumer); EventSource reconnects with Last-Event-ID,
 * so nothing is lost.
 *
 * Thousands of these sit idle at once, so a connection holds only the raw response and plain
 * fields: no reply, no per-connection options object, one close listener.
 */
export class SseConnection implements HeartbeatMember {
  #response: ServerResponse;
  #batch: BatchedWriter;
  #host: SseConnectionHost;
  #lastWriteTurn: number;
  #isClosed = false;
  readonly #release: () => void;
  readonly #onClose: () => void;
  readonly #cancelExpiry: () => void;
  readonly #onResponseClose = () => {
    this.#isClosed = true;
    this.#host.heartbeats.delete(this);
    this.#cancelExpiry();
    this.#onClose();
    this.#release();
    this.#host.closed(this);
  };

  constructor(reply: FastifyReply, host: SseConnectionHost, init: SseConnectionInit) {
    this.#host = host;
    this.#release = init.release;
    this.#onClose = init.onClose;
    this.#lastWriteTurn = host.heartbeats.turn;
    reply.hijack();
    // Only the raw response is kept: the reply is not needed once hijacked.
    const response = reply.raw;
    this.#response = response;
    this.#batch = new BatchedWriter(response);
    // Headers set by hooks (CORS) live on the reply until it is sent; a hijacked reply must send
    // them itself. All in writeHead, none by setHeader: the response then keeps no header map.
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = value;
    }
    headers['content-type'] = 'text/event-stream; charset=utf-8';
    headers['cache-control'] = 'no-cache, no-transform';
    // Proxies such as nginx would otherwise buffer the stream.
    headers['x-accel-buffering'] = 'no';
    // Corked: the head and the `retry:` line still leave in one packet.
    response.cork();
    response.writeHead(200, headers);
    // Written on its own, the head the response keeps for its whole life is flattened into one
    // string; joined to the first chunk's size line instead, it would stay a rope of ~25 pieces.
    response.flushHeaders();
    response.write(host.retryFrame);
    response.uncork();
    host.heartbeats.add(this);
    response.on('close', this.#onResponseClose);
    this.#cancelExpiry = onPrincipalExpiry(init.principal, () => this.end());
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  get lastWriteTurn(): number {
    return this.#lastWriteTurn;
  }

  /** Sends `: hb` (the wheel calls it when the connection has been idle). */
  heartbeat(): void {
    this.write(HEARTBEAT_BYTES);
  }

  /** Writes one event's shared chunk. */
  writeEvent(event: DeliveredEvent): void {
    this.write(sseEventBytes(event));
  }

  /** Writes a chunk; a client too slow to take it is cut (see the class comment). */
  write(chunk: string | Buffer): void {
    if (this.#isClosed) return;
    const response = this.#response;
    const isFirstWriteOfTick = this.#host.corker.hold(this.#batch);
    if (isSlowConsumer(response, isFirstWriteOfTick, this.#host.options.maxBufferedBytes)) {
      response.destroy();
      return;
    }
    this.#batch.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    // Once per tick is enough for a 15 s idle heartbeat.
    if (isFirstWriteOfTick) this.#lastWriteTurn = this.#host.heartbeats.turn;
  }

  /** Catch-up backpressure (see SubscriptionSink.ready). */
  ready(): Promise<void> | undefined {
    return this.#isClosed ? undefined : waitForRoom(this.#response, this.#host.options.maxBufferedBytes / 2);
  }

  /** Ends the response after what was written (final, shutdown, token expiry, failed subscription). */
  end(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#host.heartbeats.delete(this);
    this.#batch.flush();
    this.#response.end();
  }
}
