import type { EventsPage, HeraldError, ServerFrame } from '@herald/protocol';
import type { HttpApi, Position } from '../http-api.js';
import type { TransportKind, WebSocketConstructor } from '../types.js';

/**
 * What a transport hands to the client, whatever the wire: the WebSocket's stream frames as they
 * are, a page of events read over HTTP, the end of a final stream, or a heartbeat (for one stream,
 * or for all streams of a multiplexed connection). Ordering is not the transport's business.
 */
export type TransportFrame =
  | Extract<ServerFrame, { op: 'subscribed' | 'live' | 'event' | 'reset' | 'presence' }>
  /** An error about one stream, or (no `stream`) about the connection, such as a refused `auth`. */
  | { op: 'error'; stream?: string; error: HeraldError }
  | { op: 'page'; stream: string; page: EventsPage }
  | { op: 'final'; stream: string }
  | { op: 'hb'; stream?: string };

/**
 * What a transport reports. Transports never throw: failures arrive here. `Frame` is what the wire
 * carries: stream frames, or the stream list's changes for the list watch's wires.
 */
export interface TransportListener<Frame = TransportFrame> {
  /** The wire works (socket open, or the first HTTP response arrived). */
  onOpen(): void;
  onFrame(frame: Frame): void;
  /** The transport is dead; it reports nothing more. `error.retryable` says whether trying again may help. */
  onError(error: HeraldError): void;
}

/** What a transport may use. */
export interface TransportContext {
  url: string;
  http: HttpApi;
  WebSocket: WebSocketConstructor | undefined;
  /** The bearer token to connect with (fetched from `getToken` on first use). */
  token(): Promise<string | undefined>;
  /** The streams to deliver. */
  streams(): string[];
  /** Where a stream's delivery must resume (read at every (re)subscription). */
  position(stream: string): Position;
  /** Whether a subscription of the stream follows its presence (the WebSocket then asks for frames). */
  wantsPresence(stream: string): boolean;
  /** The client's presence label. */
  label: string | undefined;
  /** ETag polling interval, in ms. */
  pollIntervalMs: number;
  /** Counts one poll in the client's stats. */
  countPoll(): void;
}

/**
 * One wire that moves a set of streams' frames; single-use: after `onError` or `close` it is done.
 * The stream list watch's wires follow one prefix and have no `add`/`remove`.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Starts connecting and delivering every stream of `context.streams()`. */
  open(): void;
  /** Starts delivering one more stream from its position. */
  add?(stream: string): void;
  /** Stops delivering a stream. */
  remove?(stream: string): void;
  /** Stops everything, silently. */
  close(): void;
  /** Hands a refreshed token to a live connection, where the wire supports it. */
  authenticate?(token: string): void;
}

/** Whether a transport pushes events (so silence may mean loss) rather than reading them itself. */
export function isPushTransport(kind: TransportKind): boolean {
  return kind === 'websocket' || kind === 'sse';
}
