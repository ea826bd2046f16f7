import type { Corkable } from './tick-corker.js';

/**
 * Past this many bytes collected in one tick the batch is handed to the output at once, so the
 * send buffer (which the slow-consumer and catch-up backpressure rules read) never lags behind
 * what was written by more than this.
 */
const MAX_BATCH_BYTES = 64 * 1024;

/** Where a BatchedWriter hands its batches: one call per batch. */
export interface BatchOutput {
  /** Whether bytes can still be written; a closed output's batch is dropped. */
  readonly isOpen: boolean;
  writeBatch(batch: Buffer): void;
}

/**
 * Collects one tick's frames for a connection (WebSocket or SSE) and hands them over as a single
 * write when the TickCorker uncorks it. Written one by one to a corked stream, every frame would be
 * its own buffered stream entry (on an HTTP response, also its own chunked-encoding frame); a burst
 * fanned out to thousands of connections would create (and keep until the end of the tick)
 * hundreds of those per connection, which costs more CPU and garbage collection than copying the
 * frames into one Buffer. A tick of one frame — each event its own publish — hands over that
 * frame's own Buffer, shared by every connection, to a stream that writes it at once.
 */
export class BatchedWriter implements Corkable {
  #output: BatchOutput;
  /** The tick's chunks: none, one (the common case, kept without an array), or several. */
  #pending: Buffer | Buffer[] | undefined;
  #bytes = 0;

  constructor(output: BatchOutput) {
    this.#output = output;
  }

  /** Nothing to do: chunks are collected until `uncork` anyway. */
  cork(): void {}

  /** Writes what the tick collected. */
  uncork(): void {
    this.flush();
  }

  /** Adds `chunk` to the batch. */
  write(chunk: Buffer): void {
    const pending = this.#pending;
    if (pending === undefined) this.#pending = chunk;
    else if (Array.isArray(pending)) pending.push(chunk);
    else this.#pending = [pending, chunk];
    this.#bytes += chunk.length;
    if (this.#bytes >= MAX_BATCH_BYTES) this.flush();
  }

  /** Hands the batch to the output now (before it ends, or when it is large). */
  flush(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const bytes = this.#bytes;
    // Dropped rather than emptied: a burst's large array is not kept per idle response.
    this.#pending = undefined;
    this.#bytes = 0;
    const output = this.#output;
    if (!output.isOpen) return;
    output.writeBatch(Array.isArray(pending) ? Buffer.concat(pending, bytes) : pending);
  }
}
