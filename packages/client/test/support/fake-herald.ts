import {
  applyMergePatch,
  type EventInput,
  type EventsPage,
  type HeraldEvent,
  type JsonValue,
  type StreamSnapshot,
} from '@herald/protocol';
import type { FetchFunction } from '../../src/types.js';

interface FakeStream {
  epoch: string;
  events: HeraldEvent[];
  firstSeq: number;
  state: JsonValue;
  final: boolean;
}

/** Makes an event as the server would deliver it. */
export function makeEvent(stream: string, seq: number, fields: Partial<HeraldEvent> = {}): HeraldEvent {
  return { stream, seq, id: `${stream}#${seq}`, type: 'step', time: new Date(0).toISOString(), ...fields };
}

/**
 * How `failNext` fails a request: `503` answers it unhandled, `network` throws before it reaches the
 * server (a dead network), `lost-response` handles it and then throws (the connection died before
 * the response arrived).
 */
export type FakeFailure = '503' | 'network' | 'lost-response';

/**
 * An in-memory Herald HTTP API behind a `fetch` function: events pages (with `wait` long-polls and
 * resets), snapshots with ETags, and idempotent publish (201 when appended, 200 for a repeated id).
 * Records every request and every publish body; `failNext` makes the next requests fail.
 */
export class FakeHerald {
  readonly requests: string[] = [];
  /** The parsed body of every publish request, in arrival order, failed attempts included. */
  readonly publishBodies: EventInput[] = [];
  readonly #streams = new Map<string, FakeStream>();
  readonly #waiters = new Set<() => void>();
  #failures: FakeFailure[] = [];

  /** Appends an event, as a publish would (idempotent by id). */
  publish(stream: string, input: EventInput): HeraldEvent {
    const target = this.#stream(stream);
    const existing = input.id === undefined ? undefined : target.events.find((event) => event.id === input.id);
    if (existing) return existing;
    const seq = target.firstSeq + target.events.length;
    const event = makeEvent(stream, seq, { type: input.type, id: input.id ?? `${stream}#${seq}` });
    if (input.data !== undefined) event.data = input.data;
    if (input.state !== undefined) {
      event.state = input.state;
      target.state = applyMergePatch(target.state, input.state);
    }
    if (input.final) {
      event.final = true;
      target.final = true;
    }
    target.events.push(event);
    for (const wake of [...this.#waiters]) wake();
    return event;
  }

  /** The events of a stream, in seq order. */
  events(stream: string): HeraldEvent[] {
    return [...this.#stream(stream).events];
  }

  /** Drops events before `firstSeq`, as retention would. */
  truncate(stream: string, firstSeq: number): void {
    const target = this.#stream(stream);
    target.events = target.events.filter((event) => event.seq >= firstSeq);
    target.firstSeq = firstSeq;
  }

  /** Makes the next `count` requests fail. */
  failNext(count: number, how: FakeFailure = '503'): void {
    for (let i = 0; i < count; i += 1) this.#failures.push(how);
  }

  /** Requests whose path starts with `prefix`. */
  count(prefix: string): number {
    return this.requests.filter((request) => request.startsWith(prefix)).length;
  }

  readonly fetch: FetchFunction = async (input, init = {}) => {
    const url = new URL(input);
    const method = init.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    if (method === 'POST') this.publishBodies.push(JSON.parse(String(init.body)) as EventInput);
    const failure = this.#failures.shift();
    if (failure === 'network') throw new TypeError('fetch failed');
    if (failure === '503') return json(503, { error: { code: 'unavailable', message: 'try later' } });
    const response = await this.#handle(url, method, init);
    if (failure === 'lost-response') throw new TypeError('fetch failed');
    return response;
  };

  async #handle(url: URL, method: string, init: RequestInit): Promise<Response> {
    const match = /^\/v1\/streams\/([^/]+)(\/events)?$/.exec(url.pathname);
    if (!match?.[1]) return json(404, { error: { code: 'not_found', message: 'no route' } });
    const stream = decodeURIComponent(match[1]);
    const headers = new Headers(init.headers);
    if (method === 'POST') {
      const target = this.#stream(stream);
      const before = target.events.length;
      const event = this.publish(stream, JSON.parse(String(init.body)) as EventInput);
      const status = target.events.length > before ? 201 : 200;
      return json(status, { stream, epoch: target.epoch, seq: event.seq, events: [{ id: event.id, seq: event.seq }] });
    }
    if (!match[2]) return this.#snapshot(stream, headers.get('if-none-match'));
    const after = Number(url.searchParams.get('after') ?? 0);
    const waitSeconds = Number(url.searchParams.get('wait') ?? 0);
    if (waitSeconds > 0 && this.#page(stream, after, url.searchParams.get('epoch')).events.length === 0) {
      await this.#waitForPublish(waitSeconds * 1000, init.signal);
    }
    return json(200, this.#page(stream, after, url.searchParams.get('epoch')));
  }

  #stream(stream: string): FakeStream {
    let target = this.#streams.get(stream);
    if (!target) {
      target = { epoch: `epoch-${stream}`, events: [], firstSeq: 1, state: null, final: false };
      this.#streams.set(stream, target);
    }
    return target;
  }

  #snapshot(stream: string, ifNoneMatch: string | null): Response {
    const target = this.#stream(stream);
    const seq = target.firstSeq + target.events.length - 1;
    const etag = `"${target.epoch}:${seq}"`;
    if (ifNoneMatch === etag) return new Response(null, { status: 304, headers: { etag } });
    const snapshot: StreamSnapshot = {
      stream,
      epoch: target.epoch,
      seq,
      firstSeq: target.firstSeq,
      state: target.state,
      final: target.final,
      createdAt: null,
      updatedAt: null,
    };
    return json(200, snapshot, { etag });
  }

  #page(stream: string, after: number, epoch: string | null): EventsPage {
    const target = this.#stream(stream);
    const seq = target.firstSeq + target.events.length - 1;
    const isReset = after < target.firstSeq - 1 || (epoch !== null && epoch !== target.epoch);
    const from = isReset ? target.firstSeq - 1 : after;
    const matching = target.events.filter((event) => event.seq > from);
    const events = matching.slice(0, 100);
    const page: EventsPage = {
      stream,
      epoch: target.epoch,
      seq,
      firstSeq: target.firstSeq,
      final: target.final,
      events,
      hasMore: matching.length > events.length,
    };
    return isReset ? { ...page, reset: true, state: target.state } : page;
  }

  #waitForPublish(timeoutMs: number, signal: AbortSignal | null | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#waiters.add(done);
      signal?.addEventListener('abort', () => {
        done();
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
