import { assertStreamName } from '@herald/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth/authorize.js';
import { hasSeenFinal } from '../delivery/resolve-resume.js';
import type { ResetNotice, SubscriptionSink } from '../delivery/subscription.js';
import type { DeliveredEvent } from '../fanout/delivered-event.js';
import type { HeraldContext } from '../herald-context.js';
import type { QueryParams } from '../http/query-params.js';
import type { LiveHandler } from '../http/stream-routes.js';
import type { SseConnection } from './sse-connection.js';
import { encodeSseFinal, encodeSseLive, encodeSseReset } from './sse-frames.js';
import { resolveSseResume } from './sse-resume.js';
import type { SseTransport } from './sse-transport.js';
import { openSubscription } from './subscription-handle.js';

type StreamRequest = FastifyRequest<{ Params: { stream: string }; Querystring: QueryParams }>;

/** Writes one stream's subscription to an SSE response; the response ends after `final`. */
class SseStreamSink implements SubscriptionSink {
  #connection: SseConnection;
  #stream: string;
  #reportFailure: (error: unknown) => void;

  constructor(connection: SseConnection, stream: string, reportFailure: (error: unknown) => void) {
    this.#connection = connection;
    this.#stream = stream;
    this.#reportFailure = reportFailure;
  }

  opened(): void {}

  reset(notice: ResetNotice): void {
    this.#connection.write(encodeSseReset(notice));
  }

  event(event: DeliveredEvent): void {
    this.#connection.writeEvent(event);
    if (event.isFinal) this.#end(event.seq);
  }

  live(seq: number, isFinal: boolean): void {
    if (this.#connection.isClosed) return;
    this.#connection.write(encodeSseLive(this.#stream, seq));
    // A final stream whose final event went by before (a reset past deleted history): say so and end.
    if (isFinal) this.#end(seq);
  }

  #end(finalSeq: number): void {
    this.#connection.write(encodeSseFinal(this.#stream, finalSeq));
    this.#connection.end();
  }

  ready(): Promise<void> | undefined {
    return this.#connection.ready();
  }

  failed(error: unknown): void {
    if (this.#connection.isClosed) return;
    // Ending the response makes EventSource reconnect with its Last-Event-ID: the retry is the client's.
    this.#reportFailure(error);
    this.#connection.end();
  }
}

/**
 * `GET /v1/streams/{stream}/events` with `Accept: text/event-stream` (DESIGN "Server-Sent Events"):
 * resume from Last-Event-ID / `after`, events as `id: <seq>` data frames, then `event: live`, then
 * live events; `event: final` ends the response, and a reconnect at or past the final seq gets 204.
 */
export function createStreamSseHandler(ctx: HeraldContext, transport: SseTransport): LiveHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { params } = request as StreamRequest;
    const { stream } = params;
    assertStreamName(stream);
    authorize(request.principal, 'read', stream);
    const { after, epoch } = resolveSseResume(request as StreamRequest);
    const snapshot = await ctx.log.getSnapshot(stream);
    if (hasSeenFinal(snapshot, after, epoch)) return reply.code(204).header('cache-control', 'no-store').send();

    let subscription: { close(): void } | undefined;
    const connection = transport.open(request, reply, () => subscription?.close());
    const reportFailure = (error: unknown) => request.log.error({ err: error, stream }, 'SSE subscription failed');
    subscription = openSubscription({
      hub: ctx.hub,
      log: ctx.log,
      stream,
      after,
      ...(epoch === undefined ? {} : { epoch }),
      sink: new SseStreamSink(connection, stream, reportFailure),
    });
    return reply;
  };
}
