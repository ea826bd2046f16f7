import type { ServerResponse } from 'node:http';
import { EVENT_STREAM_MEDIA_TYPE, HEADERS } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import { BatchedWriter } from './batched-writer.js';
import type { LiveEndReason, LiveWire } from './live-connection.js';
import { SSE_HEARTBEAT_BYTES } from './sse-frames.js';

/**
 * An SSE response as a LiveConnection's wire: the head and `retry:` first, then a tick's frames
 * in one write (BatchedWriter). It ends after what was written; a slow consumer's response is
 * destroyed instead, as its client does not read what is queued (EventSource reconnects with
 * Last-Event-ID, so nothing is lost). It keeps only the raw response: no reply, no header map.
 */
export class SseWire implements LiveWire {
  readonly heartbeatBytes = SSE_HEARTBEAT_BYTES;
  #response: ServerResponse;
  #batch: BatchedWriter;

  /**
   * Takes over `reply` and sends the head, with `cacheControl` (ReadCaching.eventStream), and
   * `retryFrame` (the `retry:` line, as bytes).
   */
  constructor(reply: FastifyReply, retryFrame: Buffer, cacheControl: string) {
    reply.hijack();
    const response = reply.raw;
    this.#response = response;
    this.#batch = new BatchedWriter(response);
    // Headers set by hooks (CORS) live on the reply until it is sent; a hijacked reply must send
    // them itself. All in writeHead, none by setHeader: the response then keeps no header map.
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) headers[name] = value;
    }
    headers[HEADERS.contentType] = `${EVENT_STREAM_MEDIA_TYPE}; charset=utf-8`;
    headers[HEADERS.cacheControl] = cacheControl;
    // Proxies such as nginx would otherwise buffer the stream.
    headers['x-accel-buffering'] = 'no';
    // Corked: the head and the `retry:` line still leave in one packet.
    response.cork();
    response.writeHead(200, headers);
    // Written on its own, the head the response keeps for its whole life is flattened into one
    // string; joined to the first chunk's size line instead, it would stay a rope of ~25 pieces.
    response.flushHeaders();
    response.write(retryFrame);
    response.uncork();
  }

  get buffer(): ServerResponse {
    return this.#response;
  }

  get corkable(): BatchedWriter {
    return this.#batch;
  }

  get isOpen(): boolean {
    return !this.#response.destroyed;
  }

  send(bytes: Buffer): void {
    this.#batch.write(bytes);
  }

  close(reason: LiveEndReason): undefined {
    if (reason === 'slow_consumer') {
      this.#response.destroy();
      return;
    }
    this.#batch.flush();
    this.#response.end();
  }

  onClose(listener: () => void): void {
    this.#response.on('close', listener);
  }
}
