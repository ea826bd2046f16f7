import type { ServerResponse } from 'node:http';
import { SSE_HEARTBEAT } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
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

/** What an SseConnection needs from its transport. */
export interface SseConnectionOptions {
  options: TransportOptions;
  corker: TickCorker;
  /** Sends this connection's heartbeats while it is idle. */
  heartbeats: HeartbeatWheel;
  /** Called once when the response ends, whoever ended it. */
  onClose: () => void;
}

/**
 * One SSE response: the head and `retry:` first, then frames, a `: hb` comment when idle, and the
 * slow-consumer bound. A response whose client stops reading is destroyed once more than
 * `maxBufferedBytes` stay queued (see isSlowConsumer); EventSource reconnects with Last-Event-ID,
 * so nothing is lost.
 */
export class SseConnection implements HeartbeatMember {
  #response: ServerResponse;
  #batch: BatchedWriter;
  #options: TransportOptions;
  #corker: TickCorker;
  #heartbeats: HeartbeatWheel;
  #lastWriteTurn: number;
  #isClosed = false;

  constructor(reply: FastifyReply, connection: SseConnectionOptions) {
    this.#options = connection.options;
    this.#corker = connection.corker;
    this.#heartbeats = connection.heartbeats;
    this.#lastWriteTurn = connection.heartbeats.turn;
    reply.hijack();
    // Only the raw response is kept: the reply is not needed once hijacked.
    const response = reply.raw;
    this.#response = response;
    this.#batch = new BatchedWriter(response);
    // Headers set by hooks (CORS) live on the reply until it is sent; a hijacked reply must copy them.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) response.setHeader(name, value);
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // Proxies such as nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    response.write(`retry: ${this.#options.sseRetryMs}\n\n`);
    this.#heartbeats.add(this);
    response.once('close', () => {
      this.#isClosed = true;
      this.#heartbeats.delete(this);
      connection.onClose();
    });
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
    const isFirstWriteOfTick = this.#corker.hold(this.#batch);
    if (isSlowConsumer(response, isFirstWriteOfTick, this.#options.maxBufferedBytes)) {
      response.destroy();
      return;
    }
    this.#batch.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    // Once per tick is enough for a 15 s idle heartbeat.
    if (isFirstWriteOfTick) this.#lastWriteTurn = this.#heartbeats.turn;
  }

  /** Catch-up backpressure (see SubscriptionSink.ready). */
  ready(): Promise<void> | undefined {
    return this.#isClosed ? undefined : waitForRoom(this.#response, this.#options.maxBufferedBytes / 2);
  }

  /** Ends the response after what was written (final, shutdown, failed subscription). */
  end(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#heartbeats.delete(this);
    this.#batch.flush();
    this.#response.end();
  }
}
