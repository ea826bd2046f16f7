import type { Socket } from 'node:net';
import {
  CLOSE_CODES,
  type ClientFrame,
  type ErrorCode,
  HeraldError,
  isHeraldError,
  parseClientFrame,
  type ServerFrame,
} from '@herald/protocol';
import WebSocket from 'ws';
import { authorize } from '../auth/authorize.js';
import { onPrincipalExpiry } from '../auth/on-principal-expiry.js';
import type { Principal } from '../auth/principal.js';
import type { HeraldContext } from '../herald-context.js';
import { IdleHeartbeat } from './idle-heartbeat.js';
import { isSlowConsumer, waitForRoom } from './send-buffer.js';
import { openSubscription, type SubscriptionHandle } from './subscription-handle.js';
import type { TickCorker } from './tick-corker.js';
import type { TransportOptions } from './transport-options.js';
import { encodeServerFrame, HEARTBEAT_FRAME, underlyingSocket } from './websocket-frames.js';
import { type StreamFrameWriter, WebSocketStreamSink } from './websocket-stream-sink.js';

/** What a WebSocketConnection is given by its transport. */
export interface WebSocketConnectionOptions {
  ctx: HeraldContext;
  options: TransportOptions;
  corker: TickCorker;
  principal: Principal;
  clientIp: string;
  /** Called once when the socket has closed. */
  onClose: () => void;
}

interface ActiveSubscription {
  sink: WebSocketStreamSink;
  handle: SubscriptionHandle | undefined;
}

/**
 * One client's WebSocket (DESIGN "WebSocket protocol"): parses its frames, keeps its
 * subscriptions (one per stream), and writes their frames with backpressure. Bad frames are
 * answered with an error frame echoing `ref` and never affect other subscriptions or clients.
 */
export class WebSocketConnection implements StreamFrameWriter {
  #ws: WebSocket;
  #socket: Socket;
  #ctx: HeraldContext;
  #options: TransportOptions;
  #corker: TickCorker;
  #principal: Principal;
  #clientIp: string;
  #subscriptions = new Map<string, ActiveSubscription>();
  #heartbeat: IdleHeartbeat;
  #cancelExpiry: () => void = () => {};
  /** Frames that arrive while an `auth` is verified wait for it, so a `sub` right after uses the new token. */
  #pendingAuth: Promise<void> | undefined;

  constructor(ws: WebSocket, connection: WebSocketConnectionOptions) {
    this.#ws = ws;
    this.#socket = underlyingSocket(ws);
    this.#ctx = connection.ctx;
    this.#options = connection.options;
    this.#corker = connection.corker;
    this.#principal = connection.principal;
    this.#clientIp = connection.clientIp;
    this.#heartbeat = new IdleHeartbeat(this.#options.heartbeatIntervalMs, () => this.sendBytes(HEARTBEAT_FRAME));
    this.#scheduleExpiry();
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary));
    ws.on('error', (error) => this.#ctx.logger.debug({ err: error }, 'WebSocket error'));
    ws.once('close', () => {
      this.#stop();
      connection.onClose();
    });
  }

  /** Number of streams this connection is subscribed to. */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  sendControl(frame: ServerFrame): void {
    this.sendBytes(encodeServerFrame(frame));
  }

  sendBytes(bytes: Buffer): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    const isFirstWriteOfTick = this.#corker.hold(this.#socket);
    if (isSlowConsumer(this.#socket, isFirstWriteOfTick, this.#options.maxBufferedBytes)) {
      this.#closeSlowConsumer();
      return;
    }
    this.#socket.write(bytes);
    // Once per tick is enough for a 15 s idle timer, and keeps timer work off the burst path.
    if (isFirstWriteOfTick) this.#heartbeat.touch();
  }

  ready(): Promise<void> | undefined {
    return waitForRoom(this.#socket, this.#options.maxBufferedBytes / 2);
  }

  release(sink: WebSocketStreamSink): void {
    const active = this.#subscriptions.get(sink.stream);
    if (active?.sink !== sink) return;
    this.#subscriptions.delete(sink.stream);
    sink.close();
    active.handle?.close();
  }

  reportFailure(stream: string, error: unknown): void {
    this.#sendError(error, undefined, stream);
  }

  /** Closes the connection (shutdown 1012, token expiry 4001, …); subscriptions stop at once. */
  close(code: number, reason: string): void {
    this.#stop();
    this.#ws.close(code, reason);
  }

  /** Closes with `code` and resolves once the socket has closed, cutting it after `waitMs`. */
  closeAndWait(code: number, reason: string, waitMs: number): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#ws.terminate(), waitMs);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.close(code, reason);
    });
  }

  #receive(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.close(CLOSE_CODES.unsupportedData, 'frames must be JSON text');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
    const frame = parseClientFrame(text, this.#ctx.limits.event);
    if ('error' in frame) {
      this.#sendError(frame.error, frame.ref);
      return;
    }
    if (this.#pendingAuth) void this.#pendingAuth.then(() => this.#handle(frame));
    else this.#handle(frame);
  }

  #handle(frame: ClientFrame): void {
    const stream = 'stream' in frame ? frame.stream : undefined;
    const fail = (error: unknown) => this.#sendError(error, frame.ref, stream);
    try {
      switch (frame.op) {
        case 'sub':
          this.#subscribe(frame).catch(fail);
          return;
        case 'unsub':
          this.#unsubscribe(frame.stream);
          this.sendControl({ op: 'unsubscribed', ...refOf(frame), stream: frame.stream });
          return;
        case 'pub':
          this.#publish(frame).catch(fail);
          return;
        case 'ping':
          this.sendControl({ op: 'pong', ...refOf(frame) });
          return;
        case 'auth': {
          const pending: Promise<void> = this.#authenticate(frame.token)
            .catch(fail)
            .finally(() => {
              if (this.#pendingAuth === pending) this.#pendingAuth = undefined;
            });
          this.#pendingAuth = pending;
          return;
        }
      }
    } catch (error) {
      fail(error);
    }
  }

  async #subscribe(frame: Extract<ClientFrame, { op: 'sub' }>): Promise<void> {
    const { stream } = frame;
    authorize(this.#principal, 'read', stream);
    const isNewStream = !this.#subscriptions.has(stream);
    const max = this.#ctx.limits.maxSubscriptionsPerConnection;
    if (isNewStream && this.#subscriptions.size >= max) {
      throw new HeraldError('too_many_subscriptions', `at most ${max} streams per connection`, {
        details: { limit: max },
      });
    }
    // A repeated sub restarts the stream from the position it gives.
    this.#unsubscribe(stream);
    const wantsState = frame.snapshot === true;
    const sink = new WebSocketStreamSink(this, stream, { ...refOf(frame), wantsState });
    const active: ActiveSubscription = { sink, handle: undefined };
    this.#subscriptions.set(stream, active);
    let { after, epoch } = frame;
    if (after === undefined && wantsState) {
      // State without a position: the state itself is the position, and events follow its seq.
      const snapshot = await this.#ctx.log.getSnapshot(stream);
      if (sink.isClosed) return;
      sink.reportOpenedAs(snapshot);
      after = snapshot.seq;
      epoch = snapshot.epoch ?? undefined;
    }
    const { hub, log } = this.#ctx;
    active.handle = openSubscription({
      hub,
      log,
      stream,
      after: after ?? 0,
      ...(epoch === undefined ? {} : { epoch }),
      sink,
    });
  }

  #unsubscribe(stream: string): void {
    const active = this.#subscriptions.get(stream);
    if (active) this.release(active.sink);
  }

  async #publish(frame: Extract<ClientFrame, { op: 'pub' }>): Promise<void> {
    const { stream, event } = frame;
    authorize(this.#principal, 'publish', stream);
    this.#ctx.limits.publishRate.take(this.#principal, this.#clientIp, 1);
    const outcome = await this.#ctx.publisher.publish([{ stream, ...event }], 'websocket');
    const [result] = outcome.results;
    this.sendControl({ op: 'ack', ...refOf(frame), stream, seq: result!.seq, id: result!.id });
  }

  /** Replaces the connection's token; streams the new token may not read are dropped with an error. */
  async #authenticate(token: string): Promise<void> {
    const principal = await this.#ctx.authenticate(token);
    this.#principal = principal;
    this.#scheduleExpiry();
    for (const [stream, active] of this.#subscriptions) {
      try {
        authorize(principal, 'read', stream);
      } catch (error) {
        this.#sendError(error, undefined, stream);
        this.release(active.sink);
      }
    }
  }

  #scheduleExpiry(): void {
    this.#cancelExpiry();
    this.#cancelExpiry = onPrincipalExpiry(this.#principal, () =>
      this.close(CLOSE_CODES.tokenExpired, 'token expired'),
    );
  }

  #sendError(error: unknown, ref: number | undefined, stream?: string): void {
    const herald = isHeraldError(error) ? error : new HeraldError('internal', 'internal error', { cause: error });
    if (herald.code === 'internal') this.#ctx.logger.error({ err: error, stream }, 'WebSocket request failed');
    this.#ctx.dependencyFailures.report(herald, 'WebSocket frame');
    const isOwnTokenExpired = herald.code === 'token_expired' && isExpired(this.#principal);
    if (isOwnTokenExpired) {
      this.close(CLOSE_CODES.tokenExpired, 'token expired');
      return;
    }
    const code: ErrorCode = herald.code;
    // A rate-limited publish says when to try again, as HTTP's Retry-After does.
    const retryAfterMs = (herald.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    this.sendControl({
      op: 'error',
      ...(ref === undefined ? {} : { ref }),
      ...(stream === undefined ? {} : { stream }),
      code,
      message: herald.message,
      ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    });
  }

  #closeSlowConsumer(): void {
    this.close(CLOSE_CODES.slowConsumer, 'slow consumer');
    // A client that does not read will not answer the close either; its buffer is freed then.
    setTimeout(() => this.#ws.terminate(), this.#options.slowConsumerCloseTimeoutMs).unref();
  }

  #stop(): void {
    this.#heartbeat.stop();
    this.#cancelExpiry();
    for (const active of this.#subscriptions.values()) {
      active.sink.close();
      active.handle?.close();
    }
    this.#subscriptions.clear();
  }
}

function refOf(frame: { ref?: number }): { ref?: number } {
  return frame.ref === undefined ? {} : { ref: frame.ref };
}

function isExpired(principal: Principal): boolean {
  return principal.expiresAtMs !== undefined && principal.expiresAtMs <= Date.now();
}
