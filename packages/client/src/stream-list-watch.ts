import { HeraldError, MAX_PAGE_LIMIT, type StreamSnapshot } from '@herald/protocol';
import { Backoff } from './backoff.js';
import { type HttpApi, toHeraldError } from './http-api.js';
import { readSseResponse } from './sse-reader.js';
import type { StreamList } from './types.js';

/**
 * Follows the streams under a prefix (docs/protocol.md "Stream list watch"). The SSE watch sends the
 * listing, `live`, then each changed snapshot; a reconnect starts from a fresh listing. While the
 * watch is down it polls `GET /v1/streams?prefix=` with its ETag every `pollIntervalMs` (an
 * unchanged list costs a 304) and retries the watch with backoff, unless the watch was refused
 * outright (then it only polls).
 */
export class StreamListWatch {
  readonly #http: HttpApi;
  readonly #prefix: string;
  readonly #pollIntervalMs: number;
  readonly #onChange: (list: StreamList) => void;
  readonly #backoff = new Backoff();
  #byName = new Map<string, StreamSnapshot>();
  #list: StreamList = { streams: [], status: 'loading', error: null };
  #etag: string | null = null;
  #watch: AbortController | undefined;
  #poll: AbortController | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isStopped = false;

  constructor(http: HttpApi, prefix: string, pollIntervalMs: number, onChange: (list: StreamList) => void) {
    this.#http = http;
    this.#prefix = prefix;
    this.#pollIntervalMs = pollIntervalMs;
    this.#onChange = onChange;
  }

  /** Opens the watch. */
  start(): void {
    void this.#openWatch();
  }

  /** Stops watching and polling, silently; idempotent. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
    this.#watch?.abort();
    this.#stopPolling();
  }

  async #openWatch(): Promise<void> {
    const controller = new AbortController();
    this.#watch = controller;
    const { signal } = controller;
    try {
      const response = await this.#http.openStreamListWatch(this.#prefix, MAX_PAGE_LIMIT, signal);
      const listing = new Map<string, StreamSnapshot>();
      let isLive = false;
      await readSseResponse(
        response,
        {
          onBytes: () => {},
          onMessage: (message) => {
            if (message.event === 'live') {
              isLive = true;
              this.#stopPolling();
              this.#backoff.reset();
              this.#replace(listing, 'live');
            } else if (message.event === 'message') {
              const snapshot = JSON.parse(message.data) as StreamSnapshot;
              if (isLive) this.#apply(snapshot);
              else listing.set(snapshot.stream, snapshot);
            }
          },
        },
        signal,
      );
      throw new HeraldError('unavailable', 'the stream list watch ended');
    } catch (error) {
      if (this.#isStopped || signal.aborted) return;
      const heraldError = toHeraldError(error);
      this.#startPolling();
      if (heraldError.retryable) this.#timer = setTimeout(() => this.#openWatch(), this.#backoff.next());
    }
  }

  /** One changed snapshot from the live watch; a deleted stream reads as a never-created one (no epoch). */
  #apply(snapshot: StreamSnapshot): void {
    if (snapshot.epoch === null) this.#byName.delete(snapshot.stream);
    else this.#byName.set(snapshot.stream, snapshot);
    this.#emit({});
  }

  #replace(byName: Map<string, StreamSnapshot>, status: StreamList['status']): void {
    this.#byName = byName;
    this.#emit({ status, error: null });
  }

  #emit(changes: Partial<StreamList>): void {
    this.#list = { ...this.#list, ...changes, streams: [...this.#byName.values()] };
    this.#onChange(this.#list);
  }

  #startPolling(): void {
    if (this.#poll) return;
    this.#poll = new AbortController();
    this.#emit({ status: 'polling' });
    void this.#readList(this.#poll.signal);
  }

  #stopPolling(): void {
    clearTimeout(this.#pollTimer);
    this.#poll?.abort();
    this.#poll = undefined;
  }

  async #readList(signal: AbortSignal): Promise<void> {
    try {
      const read = await this.#http.listStreams({ prefix: this.#prefix, limit: MAX_PAGE_LIMIT }, this.#etag, signal);
      if (signal.aborted) return;
      if (read) {
        this.#etag = read.etag;
        this.#replace(new Map(read.page.streams.map((snapshot) => [snapshot.stream, snapshot])), 'polling');
      } else if (this.#list.error) {
        this.#emit({ error: null });
      }
    } catch (error) {
      if (signal.aborted) return;
      this.#emit({ error: toHeraldError(error) });
    }
    // The watch may have taken over (aborting `signal`) while this read was in flight.
    if (!signal.aborted) this.#pollTimer = setTimeout(() => this.#readList(signal), this.#pollIntervalMs);
  }
}
