import type { StreamSnapshot } from '@herald/protocol';
import type { HttpApi } from './http-api.js';
import { TransportLadder } from './transports/ladder.js';
import {
  createStreamListTransport,
  resolveStreamListKinds,
  type StreamListFrame,
} from './transports/stream-list-transport.js';
import type { StreamList, TransportKind } from './types.js';

/** What a stream list watch needs from the client. */
export interface StreamListWatchOptions {
  http: HttpApi;
  prefix: string;
  /** The client's `transports`. */
  kinds: readonly TransportKind[];
  pollIntervalMs: number;
  probeIntervalMs: number;
  refreshToken(): Promise<boolean>;
  onChange(list: StreamList): void;
}

/**
 * Follows the streams under a prefix (docs/protocol.md "Stream list watch") through its own
 * instance of the connection state machine (`status.ts`, run by a `TransportLadder`), so it falls
 * back, climbs back up and goes quiet offline by the same rules as the client's streams: the SSE
 * watch while push is allowed and works, ETag polling of `GET /v1/streams?prefix=` otherwise.
 */
export class StreamListWatch {
  readonly #ladder: TransportLadder<StreamListFrame>;
  readonly #onChange: (list: StreamList) => void;
  #byName = new Map<string, StreamSnapshot>();
  #list: StreamList = { streams: [], status: 'loading', error: null };

  constructor(options: StreamListWatchOptions) {
    this.#onChange = options.onChange;
    const context = { http: options.http, prefix: options.prefix, pollIntervalMs: options.pollIntervalMs };
    this.#ladder = new TransportLadder<StreamListFrame>({
      kinds: resolveStreamListKinds(options.kinds),
      create: (kind, listener) => createStreamListTransport(kind, context, listener),
      onFrame: (frame) => this.#apply(frame),
      onStatus: (status) => this.#emit({ status: status === 'connecting' ? 'loading' : status }),
      onError: (error) => this.#emit({ error }),
      onReconnect: () => {},
      refreshToken: options.refreshToken,
      probeIntervalMs: options.probeIntervalMs,
    });
  }

  /** Starts following the list. */
  start(): void {
    this.#ladder.start();
  }

  /** Stops every request, silently; idempotent. */
  stop(): void {
    this.#ladder.close();
  }

  /** The browser reports no network: no request until `reconnectNow`. */
  setOffline(): void {
    this.#ladder.setOffline();
  }

  /** The network is back: connect at once. */
  reconnectNow(): void {
    this.#ladder.reconnectNow();
  }

  /** A whole list replaces the view; a changed snapshot updates it (a deleted stream has no epoch and leaves). */
  #apply(frame: StreamListFrame): void {
    if (frame.op === 'list') this.#byName = new Map(frame.streams.map((snapshot) => [snapshot.stream, snapshot]));
    else if (frame.snapshot.epoch === null) this.#byName.delete(frame.snapshot.stream);
    else this.#byName.set(frame.snapshot.stream, frame.snapshot);
    this.#emit({ error: null });
  }

  #emit(changes: Partial<StreamList>): void {
    this.#list = { ...this.#list, ...changes, streams: [...this.#byName.values()] };
    this.#onChange(this.#list);
  }
}
