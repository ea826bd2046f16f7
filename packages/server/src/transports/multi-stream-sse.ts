import {
  assertStreamName,
  encodeSseCursor,
  HeraldError,
  parseSseCursor,
  type StreamPositions,
  type StreamSnapshot,
} from '@herald/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { hasSeenFinal } from '../delivery/resolve-resume.js';
import type { ResetNotice, SubscriptionSink } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { HeraldContext } from '../herald-context.js';
import type { QueryParams } from '../http/query-params.js';
import type { SseConnection } from './sse-connection.js';
import { encodeSseFinal, encodeSseLive, encodeSseReset } from './sse-frames.js';
import { readSseCursor } from './sse-resume.js';
import type { SseTransport } from './sse-transport.js';
import { openSubscription, type SubscriptionHandle } from './subscription-handle.js';

type MultiRequest = FastifyRequest<{ Querystring: QueryParams }>;

function readStreams(query: QueryParams, maxStreams: number): string[] {
  const raw = query.stream;
  const streams = [...new Set(Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])];
  if (streams.length === 0)
    throw new HeraldError('invalid_request', 'give at least one stream', { details: { path: 'stream' } });
  if (streams.length > maxStreams) {
    throw new HeraldError('too_many_subscriptions', `at most ${maxStreams} streams per connection`, {
      details: { limit: maxStreams },
    });
  }
  for (const stream of streams) assertStreamName(stream);
  return streams;
}

/**
 * Several streams on one SSE response (browsers allow ~6 HTTP/1.1 connections per origin). Each
 * event's `id:` is a cursor holding every stream's position, so EventSource's Last-Event-ID
 * resumes them all; control frames name their stream. The response ends once every stream is final.
 */
class MultiStreamSse {
  #connection: SseConnection;
  #positions: StreamPositions;
  #handles = new Map<string, SubscriptionHandle>();
  #openCount = 0;

  constructor(connection: SseConnection, positions: StreamPositions) {
    this.#connection = connection;
    this.#positions = positions;
  }

  /** Subscribes `stream` from its position; the sink writes into the shared response. */
  add(ctx: HeraldContext, stream: string, reportFailure: (error: unknown) => void): void {
    this.#openCount += 1;
    const start = this.#positions.get(stream) ?? { seq: 0 };
    const sink: SubscriptionSink = {
      // Whatever is delivered next belongs to this epoch (a reset, if any, follows and says so again).
      opened: (snapshot: StreamSnapshot) => this.#positions.set(stream, { seq: start.seq, epoch: snapshot.epoch }),
      reset: (notice: ResetNotice) => {
        this.#positions.set(stream, { seq: notice.firstSeq - 1, epoch: notice.epoch });
        this.#connection.write(encodeSseReset(notice));
      },
      event: (event: DeliveredEvent) => this.#writeEvent(stream, event),
      live: (seq: number, isFinal: boolean) => {
        this.#connection.write(encodeSseLive(stream, seq));
        if (isFinal) this.#finish(stream, seq);
      },
      ready: () => this.#connection.ready(),
      failed: (error: unknown) => {
        if (this.#connection.isClosed) return;
        reportFailure(error);
        this.#connection.end();
      },
    };
    this.#handles.set(
      stream,
      openSubscription({ hub: ctx.hub, log: ctx.log, stream, after: start.seq, epoch: start.epoch ?? null, sink }),
    );
  }

  /** Closes every stream's subscription (the response ended). */
  close(): void {
    for (const handle of this.#handles.values()) handle.close();
  }

  #writeEvent(stream: string, event: DeliveredEvent): void {
    const { epoch } = this.#positions.get(stream) ?? {};
    this.#positions.set(stream, { seq: event.seq, epoch: epoch ?? null });
    this.#connection.write(`id: ${encodeSseCursor(this.#positions)}\ndata: ${event.json}\n\n`);
    if (event.isFinal) this.#finish(stream, event.seq);
  }

  /** `stream` has nothing more to say: tell the client, and end the response after the last one. */
  #finish(stream: string, finalSeq: number): void {
    if (!this.#handles.has(stream)) return;
    this.#connection.write(encodeSseFinal(stream, finalSeq));
    this.#handles.get(stream)?.close();
    this.#handles.delete(stream);
    this.#openCount -= 1;
    if (this.#openCount === 0) this.#connection.end();
  }
}

/** Registers `GET /v1/sse?stream=a&stream=b[&cursor=]` (see MultiStreamSse). */
export function registerMultiStreamSse(app: FastifyInstance, ctx: HeraldContext, transport: SseTransport): void {
  app.get('/v1/sse', async (request: FastifyRequest, reply: FastifyReply) => {
    const { query } = request as MultiRequest;
    const streams = readStreams(query, ctx.limits.maxSubscriptionsPerConnection);
    for (const stream of streams) authorize(request.principal, 'read', stream);
    const cursor = readSseCursor(request as MultiRequest);
    const positions: StreamPositions = cursor === undefined ? new Map() : parseSseCursor(cursor);
    for (const stream of positions.keys()) {
      if (!streams.includes(stream)) positions.delete(stream);
    }
    const snapshots = await Promise.all(streams.map((stream) => ctx.log.getSnapshot(stream)));
    const unfinished = snapshots.filter((snapshot) => {
      const position = positions.get(snapshot.stream);
      return !hasSeenFinal(snapshot, position?.seq ?? 0, position?.epoch);
    });
    if (unfinished.length === 0) return reply.code(204).header('cache-control', 'no-store').send();

    let multi: MultiStreamSse | undefined;
    const connection = transport.open(request, reply, () => multi?.close());
    multi = new MultiStreamSse(connection, positions);
    const reportFailure = (error: unknown) => request.log.error({ err: error }, 'SSE subscription failed');
    for (const snapshot of unfinished) multi.add(ctx, snapshot.stream, reportFailure);
    return reply;
  });
}
