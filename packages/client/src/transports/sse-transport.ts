import {
  encodeSseCursor,
  epochInSseCursor,
  HeraldError,
  MAX_SSE_CURSOR_CHARS,
  maxSseCursorCharsOf,
  resolveServerFrame,
  type ServerFrame,
  type SseMessage,
} from '@herald/protocol';
import { type Position, toHeraldError } from '../http-api.js';
import { readSseResponse } from '../sse-reader.js';
import type { Transport, TransportContext, TransportFrame, TransportListener } from './transport.js';

/**
 * The frame a multi-stream SSE message stands for (docs/protocol.md "Several streams"): events and
 * control frames name their `stream` in their data. `undefined` for unknown or garbled messages:
 * each is checked as the WebSocket's frames are (`resolveServerFrame`), so a message whose data
 * lacks a field, has one of the wrong type, or tries to pass for another frame is dropped.
 */
export function frameFromSseMessage(message: SseMessage): TransportFrame | undefined {
  let fields: Record<string, unknown>;
  try {
    fields = Object(JSON.parse(message.data));
  } catch {
    return undefined;
  }
  const { event } = message;
  // An event's epoch is in its `id:`, the cursor: the WebSocket's event frame carries it instead.
  const epoch = typeof fields.stream === 'string' ? epochInSseCursor(message.id, fields.stream) : undefined;
  // `final` has no WebSocket twin (there the final event says it): its data is `live`'s.
  const candidate =
    event === 'message'
      ? { ...fields, op: 'event', ...(epoch === undefined ? {} : { epoch }) }
      : event === 'reset'
        ? { ...fields, op: 'reset' }
        : { op: 'live', stream: fields.stream, seq: fields.seq };
  const frame =
    event === 'message' || event === 'reset' || event === 'live' || event === 'final'
      ? asStreamFrame(resolveServerFrame(candidate))
      : undefined;
  return frame && event === 'final' ? { op: 'final', stream: frame.stream } : frame;
}

type StreamFrame = Extract<ServerFrame, { op: 'event' | 'live' | 'reset' }>;

function asStreamFrame(frame: ServerFrame | undefined): StreamFrame | undefined {
  return frame?.op === 'event' || frame?.op === 'live' || frame?.op === 'reset' ? frame : undefined;
}

/**
 * A `/v1/sse` query string is kept under this many characters, so that its request line fits
 * nginx's default 8 KB header buffer (`large_client_header_buffers`) and Node's 16 KB header limit.
 */
export const MAX_SSE_QUERY_CHARS = 6000;

/**
 * The characters `stream` adds to a `/v1/sse` query, encoded as HttpApi encodes them: its
 * `stream=` parameter with its `&`, and its cursor entry with the `,` before the next.
 */
function queryCharsOf(stream: string, position: Position): number {
  const cursorEntry = encodeSseCursor([[stream, { seq: position.after, epoch: position.epoch }]]);
  return new URLSearchParams({ stream, cursor: `${cursorEntry},` }).toString().length - 'cursor='.length + 1;
}

/**
 * Splits `streams` into groups whose `/v1/sse` query stays under MAX_SSE_QUERY_CHARS, and whose
 * cursor can never outgrow MAX_SSE_CURSOR_CHARS (the server refuses a response that could), in order.
 */
export function groupByQueryLength(streams: readonly string[], position: (stream: string) => Position): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let chars = 'cursor='.length;
  let cursorChars = 0;
  for (const stream of streams) {
    const streamChars = queryCharsOf(stream, position(stream));
    const isFull =
      chars + streamChars > MAX_SSE_QUERY_CHARS || cursorChars + maxSseCursorCharsOf(stream) > MAX_SSE_CURSOR_CHARS;
    if (group.length > 0 && isFull) {
      groups.push(group);
      group = [];
      chars = 'cursor='.length;
      cursorChars = 0;
    }
    group.push(stream);
    chars += streamChars;
    cursorChars += maxSseCursorCharsOf(stream);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Every SSE subscription of a client on as few responses as the URL length allows, usually one
 * (`GET /v1/sse?stream=a&stream=b&cursor=`): browsers allow only ~6 HTTP/1.1 connections per
 * origin. Past about a hundred streams (MAX_SSE_QUERY_CHARS) the streams are split over several
 * responses. A change to the set of streams reopens them from the streams' current positions (once
 * per tick, however many changed); one response failing fails the transport, ending the others.
 */
export class SseTransport implements Transport {
  readonly kind = 'sse';
  readonly #context: TransportContext;
  readonly #listener: TransportListener;
  readonly #streams = new Set<string>();
  /** Streams whose final event arrived on the current response: the server sends nothing more for them. */
  readonly #finished = new Set<string>();
  #controller: AbortController | undefined;
  #isOpen = false;
  #isDone = false;
  #isReopenQueued = false;

  constructor(context: TransportContext, listener: TransportListener) {
    this.#context = context;
    this.#listener = listener;
  }

  open(): void {
    for (const stream of this.#context.streams()) this.#streams.add(stream);
    this.#reopen();
  }

  add(stream: string): void {
    if (this.#isDone || this.#streams.has(stream)) return;
    this.#streams.add(stream);
    this.#queueReopen();
  }

  remove(stream: string): void {
    if (!this.#streams.delete(stream)) return;
    // A finished stream costs the server nothing: no reason to interrupt the others.
    if (!this.#finished.delete(stream)) this.#queueReopen();
  }

  close(): void {
    this.#isDone = true;
    this.#controller?.abort();
  }

  #queueReopen(): void {
    if (this.#isReopenQueued) return;
    this.#isReopenQueued = true;
    queueMicrotask(() => {
      this.#isReopenQueued = false;
      this.#reopen();
    });
  }

  #reopen(): void {
    this.#controller?.abort();
    this.#controller = undefined;
    this.#finished.clear();
    if (this.#isDone || this.#streams.size === 0) return;
    const controller = new AbortController();
    this.#controller = controller;
    // Positions are read at (re)open: what the old responses delivered is already in the subscriptions.
    const position = (stream: string) => this.#context.position(stream);
    for (const streams of groupByQueryLength([...this.#streams], position)) {
      this.#read(streams, controller.signal).catch((error: unknown) => {
        if (this.#isDone || controller.signal.aborted) return;
        this.close();
        this.#listener.onError(toHeraldError(error));
      });
    }
  }

  async #read(streams: string[], signal: AbortSignal): Promise<void> {
    const cursor = encodeSseCursor(
      streams.map((stream) => {
        const { after, epoch } = this.#context.position(stream);
        return [stream, { seq: after, epoch }] as const;
      }),
    );
    const response = await this.#context.http.openEventStreams(streams, cursor, signal);
    if (signal.aborted) return;
    if (!this.#isOpen) {
      this.#isOpen = true;
      this.#listener.onOpen();
    }
    // 204: every stream is final and read to its end, and the response says no more. Each is told
    // so now (it confirms over HTTP), rather than when its watchdog next looks.
    if (response.status === 204) {
      for (const stream of streams) {
        this.#finished.add(stream);
        this.#listener.onFrame({ op: 'final', stream });
      }
      return;
    }
    const finals = new Set<string>();
    await readSseResponse(
      response,
      {
        onBytes: () => this.#listener.onFrame({ op: 'hb' }),
        onMessage: (message) => {
          const frame = frameFromSseMessage(message);
          if (!frame) return;
          if (frame.op === 'final') {
            finals.add(frame.stream);
            this.#finished.add(frame.stream);
          }
          this.#listener.onFrame(frame);
        },
      },
      signal,
    );
    const isEveryStreamFinal = streams.every((stream) => finals.has(stream));
    if (!signal.aborted && !isEveryStreamFinal) throw new HeraldError('unavailable', 'the event stream ended');
  }
}
