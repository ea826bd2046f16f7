import http from 'node:http';
import { type SseMessage, SseParser } from '@herald/protocol';
import { ConditionWaiters } from './condition-waiters.js';

/** A raw SSE test client (node:http) that keeps the raw text, so comments such as `: hb` can be asserted. */
export class SseTestClient {
  readonly messages: SseMessage[] = [];
  raw = '';
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  readonly ended: Promise<void>;
  request: http.ClientRequest;
  response: http.IncomingMessage | undefined;
  #parser = new SseParser();
  #waiters = new ConditionWaiters();
  #isEnded = false;
  #events: { stream: string; seq: number }[] = [];
  #seqsByStream = new Map<string, number[]>();

  private constructor(url: string, headers: Record<string, string>, opened: (error?: Error) => void) {
    let markEnded!: () => void;
    this.ended = new Promise((resolve) => {
      markEnded = resolve;
    });
    const end = () => {
      this.#isEnded = true;
      markEnded();
      this.#waiters.wake();
    };
    this.request = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      this.response = response;
      this.status = response.statusCode ?? 0;
      this.headers = response.headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        this.raw += chunk;
        for (const message of this.#parser.push(chunk)) this.#record(message);
        this.#waiters.wake();
      });
      response.on('end', end);
      response.on('close', end);
      opened();
    });
    this.request.on('error', (error) => {
      end();
      opened(error);
    });
  }

  /** Opens an SSE request to `url` and resolves once the response head has arrived. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseTestClient> {
    return new Promise((resolve, reject) => {
      const client: SseTestClient = new SseTestClient(url, headers, (error) =>
        error ? reject(error) : resolve(client),
      );
    });
  }

  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** Seqs of the unnamed (event) messages, in order; `stream` filters multi-stream responses. */
  seqs(stream?: string): number[] {
    return stream === undefined ? this.#events.map((event) => event.seq) : (this.#seqsByStream.get(stream) ?? []);
  }

  /** Named control messages (`reset`, `live`, `final`). */
  named(event: string): SseMessage[] {
    return this.messages.filter((message) => message.event === event);
  }

  /** Resolves once `condition` holds (checked after every chunk and at the end). */
  waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.#waiters.waitUntil(condition, timeoutMs, () => `raw tail: ${this.raw.slice(-300)}`);
  }

  /** Cuts the connection from the client side. */
  close(): void {
    this.request.destroy();
  }

  #record(message: SseMessage): void {
    this.messages.push(message);
    if (message.event !== 'message') return;
    // Parsed once on arrival: waits re-check after every chunk, and may watch hundreds of streams.
    const event = JSON.parse(message.data) as { stream: string; seq: number };
    this.#events.push(event);
    const seqs = this.#seqsByStream.get(event.stream);
    if (seqs) seqs.push(event.seq);
    else this.#seqsByStream.set(event.stream, [event.seq]);
  }
}
