import {
  API_PATHS,
  encodeSseCursor,
  HEADERS,
  HeraldError,
  MAX_SSE_CURSOR_CHARS,
  maxSseCursorCharsOf,
  parseSseCursor,
  type StreamPositions,
  type StreamSnapshot,
} from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { hasSeenFinal } from '../delivery/resolve-resume.js';
import type { ResetNotice } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { Hub } from '../fanout/hub.js';
import { type MultiStreamSseQuery, multiStreamSseRouteSchema } from '../http/schemas/read-route-schemas.js';
import type { EventLog } from '../log/event-log.js';
import type { Presence } from '../presence/presence.js';
import { resolveRequestWatcherName } from '../presence/watcher-name.js';
import type { LiveConnection } from './live-connection.js';
import { type FrameEncoder, LiveSink, type LiveSinkOwner } from './live-sink.js';
import { encodeSseFinal, encodeSseLive, encodeSseReset } from './sse-frames.js';
import { readSseCursor } from './sse-resume.js';
import type { SseTransport } from './sse-transport.js';
import { openSubscription, type SubscriptionHandle } from './subscription-handle.js';

type MultiRequest = FastifyRequest<{ Querystring: MultiStreamSseQuery }>;

/** What the multi-stream SSE route works with. */
export interface MultiStreamSseDeps {
  hub: Hub;
  log: EventLog;
  presence: Presence;
  /** Streams one connection may subscribe to. */
  maxStreams: number;
}

/** The distinct streams asked for (the schema has judged their names), within the connection's limit. */
function readStreams(query: MultiStreamSseQuery, maxStreams: number): string[] {
  const streams = [...new Set(query.stream)];
  if (streams.length > maxStreams) {
    throw new HeraldError('too_many_subscriptions', `at most ${maxStreams} streams per connection`, {
      details: { limit: maxStreams },
    });
  }
  // Refused now rather than at a reconnect months later, when the cursor has grown past what a
  // Last-Event-ID header can carry and the client has nothing to resume from.
  const cursorChars = streams.reduce((sum, stream) => sum + maxSseCursorCharsOf(stream), 0);
  if (cursorChars > MAX_SSE_CURSOR_CHARS) {
    throw new HeraldError(
      'invalid_request',
      `${streams.length} streams could need a cursor of ${cursorChars} characters, over the ${MAX_SSE_CURSOR_CHARS} a Last-Event-ID header carries through proxies: split them over several /v1/sse responses (the client SDK does) or use a WebSocket`,
      { details: { path: 'stream', limit: MAX_SSE_CURSOR_CHARS } },
    );
  }
  return streams;
}

/**
 * The frames of one multi-stream response: each event's `id:` is a cursor holding every stream's
 * position, so EventSource's Last-Event-ID resumes them all; control frames name their stream.
 */
class MultiStreamSseEncoder implements FrameEncoder {
  #positions: StreamPositions;

  constructor(positions: StreamPositions) {
    this.#positions = positions;
  }

  opened(stream: string, snapshot: StreamSnapshot): undefined {
    // Whatever is delivered next belongs to this epoch (a reset, if any, follows and says so again).
    this.#positions.set(stream, { seq: this.#positions.get(stream)?.seq ?? 0, epoch: snapshot.epoch });
  }

  reset(notice: ResetNotice): Buffer {
    this.#positions.set(notice.stream, { seq: notice.firstSeq - 1, epoch: notice.epoch });
    return encodeSseReset(notice, encodeSseCursor(this.#positions));
  }

  event(stream: string, event: DeliveredEvent): Buffer {
    // The event's own epoch: a stream created or recreated since the subscription began has no
    // reset saying so (nothing was lost), yet its cursor must name the new epoch.
    this.#positions.set(stream, { seq: event.seq, epoch: event.epoch });
    return Buffer.from(`id: ${encodeSseCursor(this.#positions)}\ndata: ${event.json}\n\n`);
  }

  live = encodeSseLive;

  final(stream: string, seq: number): Buffer {
    return encodeSseFinal(stream, seq, encodeSseCursor(this.#positions));
  }
}

/** Several streams on one SSE response (browsers allow ~6 HTTP/1.1 connections per origin); it ends once every stream is final. */
class MultiStreamSse implements LiveSinkOwner {
  #connection: LiveConnection;
  #encoder: MultiStreamSseEncoder;
  #positions: StreamPositions;
  #handles = new Map<string, SubscriptionHandle>();
  #reportFailure: (error: unknown) => void;

  constructor(connection: LiveConnection, positions: StreamPositions, reportFailure: (error: unknown) => void) {
    this.#connection = connection;
    this.#positions = positions;
    this.#encoder = new MultiStreamSseEncoder(positions);
    this.#reportFailure = reportFailure;
  }

  /** Subscribes `stream` from its position; its sink writes into the shared response. */
  add(deps: MultiStreamSseDeps, stream: string, name: string | undefined): void {
    const start = this.#positions.get(stream) ?? { seq: 0 };
    const sink = new LiveSink(this.#connection, stream, this.#encoder, this);
    const { hub, log, presence } = deps;
    this.#handles.set(
      stream,
      openSubscription({ hub, log, stream, after: start.seq, epoch: start.epoch ?? null, sink }, { presence, name }),
    );
  }

  /**
   * Says `stream` is final at `seq`, where the client already is: beside streams still live the
   * response is not answered 204, and without this frame the client would learn it only by polling.
   */
  sayFinal(stream: string, seq: number): void {
    this.#connection.write(this.#encoder.final(stream, seq));
  }

  /** `stream` has nothing more to say; the response ends after the last one. */
  finished(sink: LiveSink): void {
    this.#handles.get(sink.stream)?.close();
    this.#handles.delete(sink.stream);
    if (this.#handles.size === 0) this.#connection.end('final');
  }

  failed(_sink: LiveSink, error: unknown): void {
    this.#reportFailure(error);
    this.#connection.end('failed');
  }

  /** Closes every stream's subscription (the response ended). */
  close(): void {
    for (const handle of this.#handles.values()) handle.close();
  }
}

/** Registers `GET /v1/sse?stream=a&stream=b[&cursor=]` (see MultiStreamSse). */
export function registerMultiStreamSse(app: FastifyInstance, deps: MultiStreamSseDeps, transport: SseTransport): void {
  app.get(
    API_PATHS.sse,
    { schema: multiStreamSseRouteSchema },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { query } = request as MultiRequest;
      const streams = readStreams(query, deps.maxStreams);
      for (const stream of streams) authorize(request.principal, 'read', stream);
      const name = resolveRequestWatcherName(request.principal, query);
      const cursor = readSseCursor(request as MultiRequest);
      const positions: StreamPositions = cursor === undefined ? new Map() : parseSseCursor(cursor);
      for (const stream of positions.keys()) {
        if (!streams.includes(stream)) positions.delete(stream);
      }
      const snapshots = await Promise.all(streams.map((stream) => deps.log.getSnapshot(stream)));
      const unfinished = snapshots.filter((snapshot) => {
        const position = positions.get(snapshot.stream);
        return !hasSeenFinal(snapshot, position?.seq ?? 0, position?.epoch);
      });
      if (unfinished.length === 0) return reply.code(204).header(HEADERS.cacheControl, 'no-store').send();

      let multi: MultiStreamSse | undefined;
      const connection = transport.open(request, reply, () => multi?.close());
      const reportFailure = (error: unknown) => request.log.error({ err: error }, 'SSE subscription failed');
      multi = new MultiStreamSse(connection, positions, reportFailure);
      for (const snapshot of snapshots) {
        if (unfinished.includes(snapshot)) multi.add(deps, snapshot.stream, name);
        else multi.sayFinal(snapshot.stream, snapshot.seq);
      }
      return reply;
    },
  );
}
