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
  /** `reset` notices received (there should be none while history is held). */
  readonly resets: number;
  /** Connections (or requests, for the polling transports) that failed and were retried. */
  readonly failures: number;
  /** Resolves once `seq` has been received; rejects after `timeoutMs`. */
  waitForSeq(seq: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

class Recorder {
  readonly received: number[] = [];
  readonly closeCodes: number[] = [];
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
 * fetch without connection reuse. Node's fetch may keep the socket of an aborted streaming
 * request in its pool, where it holds a node's graceful shutdown open for a whole keep-alive
 * timeout; a browser closes such a connection. `Connection: close` restores that behaviour.
 */
function fetchWithoutReuse(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('connection', 'close');
  return fetch(input, { ...init, headers });
}

function followWebSocket(baseUrl: string, stream: string, recorder: Recorder): () => void {
  let socket: WebSocket | undefined;
  const connect = () => {
    socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`);
    socket.on('open', () => socket?.send(JSON.stringify({ op: 'sub', stream, after: recorder.position, ref: 1 })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { op: string; stream?: string; seq?: number };
      if (frame.stream !== stream) return;
      if (frame.op === 'event') recorder.record(frame.seq!);
      if (frame.op === 'reset') recorder.resets += 1;
    });
    // A refused connection emits `error` and then `close` (1006): the close handler retries.
    socket.on('error', () => {});
    socket.on('close', (code) => {
      recorder.closeCodes.push(code);
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
    fetch: fetchWithoutReuse,
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
    const response = await fetchWithoutReuse(`${streamUrl}/events?after=${recorder.position}${wait}`, {
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
    const response = await fetchWithoutReuse(streamUrl, { headers: { 'if-none-match': etag }, signal: abort.signal });
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
    get resets() {
      return recorder.resets;
    },
    get failures() {
      return recorder.failures;
    },
    waitForSeq: (seq, timeoutMs) => recorder.waitForSeq(seq, timeoutMs),
    close: () => {
      recorder.isClosed = true;
      stop();
    },
  };
}
