import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveConnection } from './live-connection.js';
import type { LiveConnections } from './live-connections.js';
import { SseWire } from './sse-wire.js';

/**
 * The SSE side of the live transports: opens responses as live connections (under the
 * connection limit; each ends when its token expires, and all on shutdown).
 */
export class SseTransport {
  #live: LiveConnections;
  /** The `retry:` line every response starts with, as bytes, shared by every response. */
  #retryFrame: Buffer;
  /** `private` too when reads need a token (ReadCaching.eventStream). */
  #cacheControl: string;

  constructor(live: LiveConnections, sseRetryMs: number, cacheControl: string) {
    this.#live = live;
    this.#retryFrame = Buffer.from(`retry: ${sseRetryMs}\n\n`);
    this.#cacheControl = cacheControl;
  }

  /**
   * Starts an SSE response for `request`. Throws before anything is sent (so the route answers
   * with a plain HTTP error) when the server is shutting down or the client has too many
   * connections. `onEnd` is called once when the response ends, whoever ended it.
   */
  open(request: FastifyRequest, reply: FastifyReply, onEnd: () => void): LiveConnection {
    this.#live.assertAccepting();
    const release = this.#live.admit(request.ip);
    const wire = new SseWire(reply, this.#retryFrame, this.#cacheControl);
    return this.#live.open('sse', wire, { principal: request.principal, release, onEnd });
  }
}
