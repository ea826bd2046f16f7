import { HEADERS, HeraldError, type StreamSnapshot, streamPath } from '@herald/protocol';
import { authHeaders } from '../target.js';
import { applyEventsPage, fetchEventsPage } from './events-pages.js';
import { RequestLoopSubscriber } from './request-loop-subscriber.js';
import { defineWire } from './wire.js';

/** Pause between two snapshot polls, in ms: fast, so tests finish quickly; a 304 costs the server little. */
const POLL_INTERVAL_MS = 100;

/**
 * ETag polling: `GET /v1/streams/{stream}` with `If-None-Match` until the snapshot changes (304
 * meanwhile), then the pages of events after the position.
 */
class EtagPollSubscriber extends RequestLoopSubscriber {
  protected override readonly roundPauseMs = POLL_INTERVAL_MS;
  #etag: string | null = null;

  protected async poll(signal: AbortSignal): Promise<void> {
    const snapshot = await this.#changedSnapshot(signal);
    if (snapshot) await this.#catchUp(snapshot, signal);
  }

  /** The snapshot when it changed since the last poll; `undefined` on 304. */
  async #changedSnapshot(signal: AbortSignal): Promise<StreamSnapshot | undefined> {
    const response = await fetch(`${this.target.url}${streamPath(this.stream)}`, {
      headers: { ...authHeaders(this.target), ...(this.#etag ? { [HEADERS.ifNoneMatch]: this.#etag } : {}) },
      signal,
    });
    if (response.status === 304) return undefined;
    const body = await response.json();
    if (response.status !== 200) throw HeraldError.fromBody(body, `snapshot answered ${response.status}`);
    this.#etag = response.headers.get(HEADERS.etag);
    return body as StreamSnapshot;
  }

  async #catchUp(snapshot: StreamSnapshot, signal: AbortSignal): Promise<void> {
    for (;;) {
      const page = await fetchEventsPage(this, { signal });
      applyEventsPage(this, page);
      if (!page.hasMore) break;
    }
    if (snapshot.final && this.position >= snapshot.seq) this.markFinal();
  }
}

export const etagPollWire = defineWire('poll', EtagPollSubscriber);
