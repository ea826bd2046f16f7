import { get as httpGet } from 'node:http';
import { Readable } from 'node:stream';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';

/** The four ways a client follows a stream (DESIGN: websocket → sse → longpoll → poll). */
export const TRANSPORTS = ['websocket', 'sse', 'longpoll', 'poll'] as const;
/** One of TRANSPORTS. */
export type TransportName = (typeof TRANSPORTS)[number];

// Pause before reconnecting after a failure other than a 1012 close (which reconnects at once).
const RETRY_DELAY_MS = 100;
const LONG_POLL_WAIT_SECONDS = 5;
const POLL_INTERVAL_MS = 100;

/**
 * A raw subscriber to one stream that resumes from its position after any failure, the way a
 * browser would, and records every seq exactly as the server delivered it: duplicates and gaps
 * stay visible, so a test can assert the server's guarantees (G1 no gap, G2 no duplicate, G3
 * order) across fail-over (G6) without a client SDK smoothing them over.
 */
export interface ResumingSubscriber {
  readonly transport: TransportName;
  /** Every seq received, in arrival order, duplicates included. */
  readonly received: number[];
  /** WebSocket close codes seen (WebSocket only). */
  readonly closeCodes: number[];
  /** When each of `closeCodes` was seen (`performance.now()` ms), in the same order. */
  readonly closedAtMs: number[];
  /** When each `subscribed` answer arrived (`performance.now()` ms; WebSocket only). */
  readonly subscribedAtMs: number[];
  /** `reset` notices received (there should be none while history is held). */
  readonly resets: number;
  /** Connections (or requests, for the polling transports) that failed and were retried. */
  readonly failures: number;
  /** When `seq` first arrived (`performance.now()` ms), or undefined before it has. */
  arrivedAtMs(seq: number): number | undefined;
  /** Resolves once `seq` has been received; rejects after `timeoutMs`. */
  waitForSeq(seq: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

class Recorder {
  readonly received: number[] = [];
  readonly closeCodes: number[] = [];
  readonly closedAtMs: number[] = [];
  readonly subscribedAtMs: number[] = [];
  readonly firstArrivalMs = new Map<number, number>();
  resets = 0;
  failures = 0;
  isClosed = false;
  #waiters = new Set<() => void>();

  /** The position to resume from: the highest seq received. */
  get position(): number {
    return this.received.reduce((max, seq) => Math.max(max, seq), 0);
  }

  record(seq: number): void {
    this.received.push(seq);
    if (!this.firstArrivalMs.has(seq)) this.firstArrivalMs.set(seq, performance.now());
    for (const wake of this.#waiters) wake();
  }

  waitForSeq(seq: number, timeoutMs = 20_000): Promise<void> {
    if (this.position >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`seq ${seq} not received within ${timeoutMs} ms; got up to ${this.position}`));
      }, timeoutMs);
      const check = () => {
        if (this.position < seq) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fetch over node:http with a connection of its own per request, closed when the request is
 * aborted or done, as a browser closes it. Node's fetch (undici 6) may keep the socket of an
 * aborted request open, even with `Connection: close`: the node then holds the request, and its
 * graceful shutdown waits for a client that has left, up to its grace period.
 */
export function fetchOwnConnection(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const headers = Object.fromEntries(new Headers(init.headers));
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, agent: false, signal: init.signal ?? undefined }, (response) => {
      const status = response.statusCode ?? 0;
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const hasBody = status !== 204 && status !== 304;
      if (!hasBody) response.resume();
      const body = hasBody ? (Readable.toWeb(response) as ReadableStream<Uint8Array>) : null;
      resolve(new Response(body, { status, headers: responseHeaders }));
    });
    request.once('error', reject);
  });
}

function followWebSocket(baseUrl: string, stream: string, recorder: Recorder): () => void {
  let socket: WebSocket | undefined;
  const connect = () => {
    socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`);
    socket.on('open', () => socket?.send(JSON.stringify({ op: 'sub', stream, after: recorder.position, ref: 1 })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { op: string; stream?: string; seq?: number };
      if (frame.stream !== stream) return;
      if (frame.op === 'subscribed') recorder.subscribedAtMs.push(performance.now());
      if (frame.op === 'event') recorder.record(frame.seq!);
      if (frame.op === 'reset') recorder.resets += 1;
    });
    // A refused connection emits `error` and then `close` (1006): the close handler retries.
    socket.on('error', () => {});
    socket.on('close', (code) => {
      recorder.closeCodes.push(code);
      recorder.closedAtMs.push(performance.now());
      if (recorder.isClosed) return;
      recorder.failures += 1;
      // 1012 (service restart) means: reconnect at once, elsewhere.
      setTimeout(connect, code === 1012 ? 0 : RETRY_DELAY_MS);
    });
  };
  connect();
  return () => socket?.close();
}

function followSse(baseUrl: string, stream: string, recorder: Recorder): () => void {
  // EventSource reconnects by itself with Last-Event-ID after the server's `retry:` delay.
  const source = new EventSource(`${baseUrl}/v1/streams/${encodeURIComponent(stream)}/events`, {
    fetch: fetchOwnConnection,
  });
  source.onmessage = (message) => recorder.record((JSON.parse(message.data) as { seq: number }).seq);
  source.addEventListener('reset', () => {
    recorder.resets += 1;
  });
  source.onerror = () => {
    recorder.failures += 1;
  };
  return () => source.close();
}

interface EventsPage {
  events: { seq: number }[];
  reset?: true;
}

function followByRequests(baseUrl: string, stream: string, recorder: Recorder, isLongPoll: boolean): () => void {
  const abort = new AbortController();
  const streamUrl = `${baseUrl}/v1/streams/${encodeURIComponent(stream)}`;
  const readPage = async (wait: string): Promise<void> => {
    const response = await fetchOwnConnection(`${streamUrl}/events?after=${recorder.position}${wait}`, {
      signal: abort.signal,
    });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
    const page = (await response.json()) as EventsPage;
    if (page.reset) recorder.resets += 1;
    for (const event of page.events) recorder.record(event.seq);
  };
  let etag = '';
  // ETag polling (seed 003): a cheap conditional snapshot read, and events only when it changed.
  const poll = async (): Promise<void> => {
    const response = await fetchOwnConnection(streamUrl, { headers: { 'if-none-match': etag }, signal: abort.signal });
    if (response.status === 200) {
      etag = response.headers.get('etag') ?? '';
      await response.arrayBuffer();
      await readPage('');
    } else if (response.status !== 304) {
      throw new Error(`HTTP ${response.status}`);
    }
    await sleep(POLL_INTERVAL_MS);
  };
  void (async () => {
    while (!recorder.isClosed) {
      try {
        await (isLongPoll ? readPage(`&wait=${LONG_POLL_WAIT_SECONDS}`) : poll());
      } catch {
        if (recorder.isClosed) return;
        recorder.failures += 1;
        await sleep(RETRY_DELAY_MS);
      }
    }
  })();
  return () => abort.abort();
}

/** Starts following `stream` at `baseUrl` over `transport`, from seq 0. */
export function followStream(baseUrl: string, stream: string, transport: TransportName): ResumingSubscriber {
  const recorder = new Recorder();
  const stop =
    transport === 'websocket'
      ? followWebSocket(baseUrl, stream, recorder)
      : transport === 'sse'
        ? followSse(baseUrl, stream, recorder)
        : followByRequests(baseUrl, stream, recorder, transport === 'longpoll');
  return {
    transport,
    received: recorder.received,
    closeCodes: recorder.closeCodes,
    closedAtMs: recorder.closedAtMs,
    subscribedAtMs: recorder.subscribedAtMs,
    get resets() {
      return recorder.resets;
    },
    get failures() {
      return recorder.failures;
    },
    arrivedAtMs: (seq) => recorder.firstArrivalMs.get(seq),
    waitForSeq: (seq, timeoutMs) => recorder.waitForSeq(seq, timeoutMs),
    close: () => {
      recorder.isClosed = true;
      stop();
    },
  };
}
