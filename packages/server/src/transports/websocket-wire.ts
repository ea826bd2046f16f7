import type { Socket } from 'node:net';
import { CLOSE_CODES } from '@herald/protocol';
import WebSocket from 'ws';
import { BatchedWriter, type BatchOutput } from './batched-writer.js';
import type { LiveEndReason, LiveWire } from './live-connection.js';
import { HEARTBEAT_FRAME, underlyingSocket } from './websocket-frames.js';

/** How long shutdown waits for a client to answer the 1012 close before cutting it, in ms. */
const SHUTDOWN_CLOSE_WAIT_MS = 1000;

/** The close frame each end of a live connection sends (DESIGN "WebSocket protocol"). */
const CLOSE_BY_REASON: Record<LiveEndReason, { code: number; text: string }> = {
  final: { code: CLOSE_CODES.normal, text: 'done' },
  failed: { code: CLOSE_CODES.internal, text: 'internal error' },
  expired: { code: CLOSE_CODES.tokenExpired, text: 'token expired' },
  slow_consumer: { code: CLOSE_CODES.slowConsumer, text: 'slow consumer' },
  shutdown: { code: CLOSE_CODES.serviceRestart, text: 'server restart' },
  bad_frame: { code: CLOSE_CODES.unsupportedData, text: 'frames must be JSON text' },
};

/**
 * A WebSocket as a LiveConnection's wire: a tick's frames, pre-built, are written to the socket
 * under it (see underlyingSocket) in one write (BatchedWriter), and each end is a close frame. A
 * client that does not read will not answer a close either: a slow consumer's socket is cut after
 * `slowConsumerCloseTimeoutMs`, and at shutdown after SHUTDOWN_CLOSE_WAIT_MS.
 */
export class WebSocketWire implements LiveWire, BatchOutput {
  readonly heartbeatBytes = HEARTBEAT_FRAME;
  #ws: WebSocket;
  #socket: Socket;
  #batch: BatchedWriter;
  #slowConsumerCloseTimeoutMs: number;

  constructor(ws: WebSocket, slowConsumerCloseTimeoutMs: number) {
    this.#ws = ws;
    this.#socket = underlyingSocket(ws);
    this.#batch = new BatchedWriter(this);
    this.#slowConsumerCloseTimeoutMs = slowConsumerCloseTimeoutMs;
  }

  get buffer(): Socket {
    return this.#socket;
  }

  get corkable(): BatchedWriter {
    return this.#batch;
  }

  get isOpen(): boolean {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(bytes: Buffer): void {
    this.#batch.write(bytes);
  }

  /** One tick's frames (BatchedWriter). */
  writeBatch(batch: Buffer): void {
    this.#socket.write(batch);
  }

  close(reason: LiveEndReason): Promise<void> | undefined {
    // What was written goes before the close frame, which ws writes to the same socket.
    this.#batch.flush();
    const ws = this.#ws;
    const { code, text } = CLOSE_BY_REASON[reason];
    if (reason === 'shutdown') return this.#closeAndWait(code, text, SHUTDOWN_CLOSE_WAIT_MS);
    ws.close(code, text);
    if (reason === 'slow_consumer') setTimeout(() => ws.terminate(), this.#slowConsumerCloseTimeoutMs).unref();
    return undefined;
  }

  onClose(listener: () => void): void {
    this.#ws.once('close', listener);
  }

  /** Closes with `code` and resolves once the socket has closed, cutting it after `waitMs`. */
  #closeAndWait(code: number, text: string, waitMs: number): Promise<void> {
    const ws = this.#ws;
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => ws.terminate(), waitMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      ws.close(code, text);
    });
  }
}
