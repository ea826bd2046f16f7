import { SSE_HEARTBEAT } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import { IdleHeartbeat } from './idle-heartbeat.js';
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
  /** Called once when the response ends, whoever ended it. */
  onClose: () => void;
}

/**
 * One SSE response: the head and `retry:` first, then frames, a `: hb` comment when idle, and the
 * slow-consumer bound. A response whose client stops reading is destroyed once more than
 * `maxBufferedBytes` stay queued (see isSlowConsumer); EventSource reconnects with Last-Event-ID,
 * so nothing is lost.
 */
export class SseConnection {
  #reply: FastifyReply;
  #options: TransportOptions;
  #corker: TickCorker;
  #heartbeat: IdleHeartbeat;
  #isClosed = false;

  constructor(reply: FastifyReply, connection: SseConnectionOptions) {
    this.#reply = reply;
    this.#options = connection.options;
    this.#corker = connection.corker;
    reply.hijack();
    const response = reply.raw;
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
    this.#heartbeat = new IdleHeartbeat(this.#options.heartbeatIntervalMs, () => this.write(HEARTBEAT_BYTES));
    response.once('close', () => {
      this.#isClosed = true;
      this.#heartbeat.stop();
      connection.onClose();
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Writes one event's shared chunk. */
  writeEvent(event: DeliveredEvent): void {
    this.write(sseEventBytes(event));
  }

  /** Writes a chunk; a client too slow to take it is cut (see the class comment). */
  write(chunk: string | Buffer): void {
    if (this.#isClosed) return;
    const response = this.#reply.raw;
    const isFirstWriteOfTick = this.#corker.hold(response);
    if (isSlowConsumer(response, isFirstWriteOfTick, this.#options.maxBufferedBytes)) {
      response.destroy();
      return;
    }
    response.write(chunk);
    // Once per tick is enough for a 15 s idle timer, and keeps timer work off the burst path.
    if (isFirstWriteOfTick) this.#heartbeat.touch();
  }

  /** Catch-up backpressure (see SubscriptionSink.ready). */
  ready(): Promise<void> | undefined {
    return this.#isClosed ? undefined : waitForRoom(this.#reply.raw, this.#options.maxBufferedBytes / 2);
  }

  /** Ends the response after what was written (final, shutdown, failed subscription). */
  end(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#heartbeat.stop();
    this.#reply.raw.end();
  }
}
