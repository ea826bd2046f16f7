import { toHeraldError } from '../http-api.js';
import type { TransportKind } from '../types.js';
import type { Transport, TransportContext, TransportFrame, TransportListener } from './transport.js';

/** How a stream loop reports: the first successful response, then frames. */
export interface StreamLoopReport {
  opened(): void;
  frame(frame: TransportFrame): void;
}

/**
 * Delivers one stream over HTTP until the stream is final (resolve), the signal aborts, or the wire
 * fails (reject). It reads the stream's position afresh for every request.
 */
export type StreamLoop = (
  stream: string,
  context: TransportContext,
  report: StreamLoopReport,
  signal: AbortSignal,
) => Promise<void>;

/**
 * An HTTP transport (SSE, long-poll, ETag poll): one request loop per stream. The first failing
 * loop fails the whole transport, so the ladder handles every wire the same way.
 */
export class PerStreamTransport implements Transport {
  readonly kind: TransportKind;
  readonly #context: TransportContext;
  readonly #listener: TransportListener;
  readonly #loop: StreamLoop;
  readonly #controllers = new Map<string, AbortController>();
  #isOpen = false;
  #isDone = false;

  constructor(kind: TransportKind, loop: StreamLoop, context: TransportContext, listener: TransportListener) {
    this.kind = kind;
    this.#loop = loop;
    this.#context = context;
    this.#listener = listener;
  }

  open(): void {
    for (const stream of this.#context.streams()) this.add(stream);
  }

  add(stream: string): void {
    if (this.#isDone || this.#controllers.has(stream)) return;
    const controller = new AbortController();
    const { signal } = controller;
    this.#controllers.set(stream, controller);
    const isCurrent = () => !this.#isDone && !signal.aborted;
    const report: StreamLoopReport = {
      opened: () => {
        if (this.#isOpen || !isCurrent()) return;
        this.#isOpen = true;
        this.#listener.onOpen();
      },
      frame: (frame) => {
        if (isCurrent()) this.#listener.onFrame(frame);
      },
    };
    this.#loop(stream, this.#context, report, signal).then(
      () => {
        if (this.#controllers.get(stream) === controller) this.#controllers.delete(stream);
      },
      (error: unknown) => {
        if (isCurrent()) this.#fail(toHeraldError(error));
      },
    );
  }

  remove(stream: string): void {
    this.#controllers.get(stream)?.abort();
    this.#controllers.delete(stream);
  }

  close(): void {
    this.#isDone = true;
    for (const controller of this.#controllers.values()) controller.abort();
    this.#controllers.clear();
  }

  #fail(error: ReturnType<typeof toHeraldError>): void {
    this.close();
    this.#listener.onError(error);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
