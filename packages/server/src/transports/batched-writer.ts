import type { Writable } from 'node:stream';
import type { Corkable } from './tick-corker.js';

/**
 * Past this many bytes collected in one tick the batch is handed to the response at once, so the
 * response's own buffer (which the slow-consumer and catch-up backpressure rules read) never lags
 * behind what was written by more than this.
 */
const MAX_BATCH_BYTES = 64 * 1024;

/**
 * Collects one tick's chunks for a response and hands them over as a single write when the
 * TickCorker uncorks it. On an HTTP response every `write` is its own chunked-encoding frame and
 * several buffered stream entries; a burst fanned out to thousands of SSE responses would otherwise
 * create (and keep until the end of the tick) hundreds of those per response, which costs more CPU
 * and garbage collection than copying the frames into one Buffer.
 */
export class BatchedWriter implements Corkable {
  #target: Writable;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(target: Writable) {
    this.#target = target;
  }

  /** Nothing to do: chunks are collected until `uncork` anyway. */
  cork(): void {}

  /** Writes what the tick collected. */
  uncork(): void {
    this.flush();
  }

  /** Adds `chunk` to the batch. */
  write(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (this.#bytes >= MAX_BATCH_BYTES) this.flush();
  }

  /** Hands the batch to the response now (before it ends, or when it is large). */
  flush(): void {
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    const bytes = this.#bytes;
    // A fresh array rather than emptying this one: a burst's large backing store is not kept per idle response.
    this.#chunks = [];
    this.#bytes = 0;
    const target = this.#target;
    if (target.destroyed) return;
    // Corked around the write, an HTTP response sends its chunk framing and data in one syscall now,
    // instead of corking itself until yet another tick.
    target.cork();
    target.write(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bytes));
    target.uncork();
  }
}
