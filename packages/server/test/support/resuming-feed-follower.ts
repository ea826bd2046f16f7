import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { fetchOwnConnection } from '../scale-out/support/resuming-subscriber.js';

/** The three live wires of a feed (docs/protocol.md "Live feed"). */
export const FEED_TRANSPORTS = ['websocket', 'sse', 'longpoll'] as const;
/** One of FEED_TRANSPORTS. */
export type FeedTransportName = (typeof FEED_TRANSPORTS)[number];

/** The filter of the followed feed: tag filters only, as the tests use. */
export interface FeedTestFilter {
  tags: Record<string, string>;
}

// Pause before reconnecting after a failure other than a 1012 close (which reconnects at once).
const RETRY_DELAY_MS = 100;
const LONG_POLL_WAIT_SECONDS = 5;

/**
 * A raw follower of a live feed that resumes from the cursor of the last event it received after
 * any failure, as a browser would, and records every event exactly as the server delivered it:
 * duplicates and order stay visible, so a test can assert the feed's guarantees without a client
 * SDK smoothing them over. SSE resumes through EventSource's own Last-Event-ID reconnect.
 */
export interface ResumingFeedFollower {
  readonly transport: FeedTransportName;
  /** Every event id received, in arrival order, duplicates included. */
  readonly received: string[];
  /** Connections (or requests) that failed and were retried. */
  readonly failures: number;
  /** Resolves once `count` events have been received; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

class FeedRecorder {
  readonly received: string[] = [];
  cursor: string | undefined;
  failures = 0;
  isClosed = false;
  #waiters = new Set<() => void>();

  constructor(cursor: string | undefined) {
    this.cursor = cursor;
  }

  record(event: { id: string; cursor: string }): void {
    this.received.push(event.id);
    this.cursor = event.cursor;
    for (const wake of this.#waiters) wake();
  }

  waitForCount(count: number, timeoutMs = 30_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${count} events not received within ${timeoutMs} ms; got ${this.received.length}`));
      }, timeoutMs);
      const check = () => {
        if (this.received.length < count) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `tag.K=V&…` plus `extra`, for `GET /v1/events`. */
function feedQuery(filter: FeedTestFilter, extra: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter.tags)) params.set(`tag.${key}`, value);
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) params.set(key, value);
  return params.toString();
}

function followWebSocket(baseUrl: string, filter: FeedTestFilter, recorder: FeedRecorder): () => void {
  let socket: WebSocket | undefined;
  const connect = () => {
    socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`);
    socket.on('open', () => {
      const cursor = recorder.cursor;
      socket?.send(JSON.stringify({ op: 'follow', feed: 'f1', filter, ref: 1, ...(cursor ? { cursor } : {}) }));
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        op: string;
        feed?: string;
        cursor?: string;
        event?: { id: string };
      };
      if (frame.op === 'feed_event' && frame.feed === 'f1')
        recorder.record({ id: frame.event!.id, cursor: frame.cursor! });
    });
    // A refused connection emits `error` and then `close` (1006): the close handler retries.
    socket.on('error', () => {});
    socket.on('close', (code) => {
      if (recorder.isClosed) return;
      recorder.failures += 1;
      // 1012 (service restart) means: reconnect at once, elsewhere.
      setTimeout(connect, code === 1012 ? 0 : RETRY_DELAY_MS);
    });
  };
  connect();
  return () => socket?.close();
}

function followSse(baseUrl: string, filter: FeedTestFilter, recorder: FeedRecorder): () => void {
  // EventSource reconnects by itself with Last-Event-ID (the last event's cursor) after `retry:`.
  const source = new EventSource(`${baseUrl}/v1/events?${feedQuery(filter, { cursor: recorder.cursor })}`, {
    fetch: fetchOwnConnection,
  });
  source.onmessage = (message) => recorder.record(JSON.parse(message.data) as { id: string; cursor: string });
  source.onerror = () => {
    recorder.failures += 1;
  };
  return () => source.close();
}

function followLongPoll(baseUrl: string, filter: FeedTestFilter, recorder: FeedRecorder): () => void {
  const abort = new AbortController();
  void (async () => {
    while (!recorder.isClosed) {
      try {
        const query = feedQuery(filter, { cursor: recorder.cursor, wait: String(LONG_POLL_WAIT_SECONDS) });
        const response = await fetchOwnConnection(`${baseUrl}/v1/events?${query}`, { signal: abort.signal });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        const page = (await response.json()) as { events: { id: string; cursor: string }[] };
        for (const event of page.events) recorder.record(event);
      } catch {
        if (recorder.isClosed) return;
        recorder.failures += 1;
        await sleep(RETRY_DELAY_MS);
      }
    }
  })();
  return () => abort.abort();
}

/** Starts following the feed of `filter` at `baseUrl` over `transport`, after `cursor` (none: from the start). */
export function followFeed(
  baseUrl: string,
  filter: FeedTestFilter,
  transport: FeedTransportName,
  cursor?: string,
): ResumingFeedFollower {
  const recorder = new FeedRecorder(cursor);
  const follow = transport === 'websocket' ? followWebSocket : transport === 'sse' ? followSse : followLongPoll;
  const stop = follow(baseUrl, filter, recorder);
  return {
    transport,
    received: recorder.received,
    get failures() {
      return recorder.failures;
    },
    waitForCount: (count, timeoutMs) => recorder.waitForCount(count, timeoutMs),
    close: () => {
      recorder.isClosed = true;
      stop();
    },
  };
}

/** Every event id matching `filter` after `cursor`, in the history query's (commit) order. */
export async function historyAfter(baseUrl: string, filter: FeedTestFilter, cursor?: string): Promise<string[]> {
  const ids: string[] = [];
  let next = cursor;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/events?${feedQuery(filter, { cursor: next, limit: '1000' })}`);
    const page = (await response.json()) as { events: { id: string }[]; nextCursor?: string };
    ids.push(...page.events.map((event) => event.id));
    if (page.nextCursor === undefined) return ids;
    next = page.nextCursor;
  }
}
