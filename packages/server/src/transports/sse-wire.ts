import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { EVENT_STREAM_MEDIA_TYPE, HEADERS } from '@herald/protocol';
import type { FastifyReply } from 'fastify';
import { BatchedWriter, type BatchOutput } from './batched-writer.js';
import { sharedHttpChunk } from './http-chunk.js';
import type { LiveEndReason, LiveWire } from './live-connection.js';
import { SSE_HEARTBEAT_BYTES } from './sse-frames.js';

/**
 * The socket an SSE response's body can be written to directly: the response's head has gone out
 * and nothing of it waits in the response's own buffer. Not so for a response queued behind an
 * earlier one on a pipelined connection, whose bytes must stay in the response until its turn.
 */
function directSocket(response: ServerResponse): Socket | undefined {
  const socket = response.socket;
  // writableLength is the response's own buffer plus its socket's: equal when the response holds nothing.
  if (!socket || !response.headersSent || response.writableLength !== socket.writableLength) return undefined;
  return socket;
}

/**
 * An SSE response as a LiveConnection's wire: the head and `retry:` first, then a tick's frames
 * in one write (BatchedWriter). It ends after what was written; a slow consumer's response is
 * destroyed instead, as its client does not read what is queued (EventSource reconnects with
 * Last-Event-ID, so nothing is lost). It keeps only the raw response: no reply, no header map.
 *
 * Once the head is out, a tick's batch goes straight to the socket as one write — framed as an
 * HTTP chunk when the response is chunked (HTTP/1.1), as is otherwise —, so one event's chunk is
 * built once and the same bytes go to every response (sharedHttpChunk), where ServerResponse
 * would frame it again per response and send it with `writev`. `end()` still goes through the
 * response, whose last chunk follows these in order on the same socket.
 */
export class SseWire implements LiveWire, BatchOutput {
  readonly heartbeatBytes = SSE_HEARTBEAT_BYTES;
  #response: ServerResponse;
  #batch: BatchedWriter;
  /** Where batches are written, when directly (see directSocket). */
  #socket: Socket | undefined;
  #isChunked: boolean;

  /**
   * Takes over `reply` and sends the head, with `cacheControl` (ReadCaching.eventStream), and
   * `retryFrame` (the `retry:` line, as bytes).
   */
  constructor(reply: FastifyReply, retryFrame: Buffer, cacheControl: string) {
    reply.hijack();
    const response = reply.raw;
    this.#response = response;
    this.#batch = new BatchedWriter(this);
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
    this.#socket = directSocket(response);
    this.#isChunked = response.chunkedEncoding;
  }

  /** The socket when written to directly: the queued bytes are its own. */
  get buffer(): ServerResponse | Socket {
    return this.#socket ?? this.#response;
  }

  get corkable(): BatchedWriter {
    return this.#batch;
  }

  get isOpen(): boolean {
    return !this.#response.destroyed && this.#socket?.destroyed !== true;
  }

  send(bytes: Buffer): void {
    this.#batch.write(bytes);
  }

  /** One tick's frames (BatchedWriter). */
  writeBatch(batch: Buffer): void {
    const socket = this.#socket;
    if (socket) {
      socket.write(this.#isChunked ? sharedHttpChunk(batch) : batch);
      return;
    }
    // Corked around the write, the response sends its chunk framing and data in one syscall now,
    // instead of corking itself until yet another tick.
    const response = this.#response;
    response.cork();
    response.write(batch);
    response.uncork();
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
