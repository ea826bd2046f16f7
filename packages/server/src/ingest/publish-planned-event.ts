import { isHeraldError, parseMultiPublishBody, type StreamEventInput } from '@herald/protocol';
import type { Publisher } from '../delivery/publisher.js';
import type { Limits } from '../limits/limits.js';
import type { EventLog } from '../log/event-log.js';
import type { IngestOutcome, PlannedEvent } from './planned-event.js';

/** The tag that holds a delivery's id, so a redelivery is found before its state is recomputed. */
export const DELIVERY_TAG = 'delivery';
// Deliveries to one stream are serialised on this node, so `expectedSeq` conflicts come only from
// another node publishing to the same stream at the same moment; each retry re-reads the state.
const MAX_ATTEMPTS = 8;

/** What publishing a delivery works with: the stream's log, the publisher and the event limits. */
export interface IngestCollaborators {
  log: Pick<EventLog, 'queryEvents' | 'getSnapshot'>;
  publisher: Pick<Publisher, 'publish'>;
  limits: Pick<Limits, 'event'>;
}

/** Publishes planned deliveries; see `publishPlannedEvent`. */
export type IngestPublisher = (planned: PlannedEvent) => Promise<IngestOutcome>;

/**
 * An IngestPublisher that runs one delivery per stream at a time on this node (a GitHub matrix
 * build sends many job deliveries for one run at once; unserialised they would all conflict).
 */
export function createIngestPublisher(ctx: IngestCollaborators): IngestPublisher {
  const tails = new Map<string, Promise<unknown>>();
  return (planned) => {
    const previous = tails.get(planned.stream) ?? Promise.resolve();
    const current = previous.then(() => publishPlannedEvent(ctx, planned));
    const tail = current.catch(() => {});
    tails.set(planned.stream, tail);
    void tail.then(() => {
      if (tails.get(planned.stream) === tail) tails.delete(planned.stream);
    });
    return current;
  };
}

/**
 * Publishes a planned delivery through the server's Publisher (append, then announce, G4):
 * - a delivery id already in the stream (found by its `delivery` tag) appends nothing, so a
 *   redelivery is answered as a duplicate whatever the state has become since (G5);
 * - the state patch is resolved against the state read just before, and the append carries that
 *   read's seq as `expectedSeq`, so no other delivery can slip in between (retried on conflict);
 * - a final stream takes nothing more: the delivery is ignored, not failed, so GitHub does not
 *   report it as a failed delivery.
 */
export async function publishPlannedEvent(ctx: IngestCollaborators, planned: PlannedEvent): Promise<IngestOutcome> {
  const { stream } = planned;
  const tags = planned.id === undefined ? planned.tags : { ...planned.tags, [DELIVERY_TAG]: planned.id };
  if (planned.id !== undefined) {
    const earlier = await ctx.log.queryEvents({ stream, tags: { [DELIVERY_TAG]: planned.id }, order: 'asc', limit: 1 });
    const original = earlier.events[0];
    if (original) return { outcome: 'duplicate', stream, id: original.id, seq: original.seq };
  }
  for (let attempt = 1; ; attempt++) {
    const snapshot = await ctx.log.getSnapshot(stream);
    if (snapshot.final) return { outcome: 'ignored', stream, reason: 'stream_final' };
    const decision = planned.resolveState(snapshot.state);
    const { isStale } = decision;
    const isFinal = !decision.isStale && decision.isFinal;
    const entry: StreamEventInput = {
      stream,
      type: planned.type,
      tags,
      expectedSeq: snapshot.seq,
      ...(planned.id === undefined ? {} : { id: planned.id }),
      ...(planned.data === undefined ? {} : { data: planned.data }),
      ...(decision.isStale || decision.state === undefined ? {} : { state: decision.state }),
      ...(isFinal ? { final: true } : {}),
    };
    // The shared event rules (sizes, tag shapes, id length) judge an ingested event like any other.
    const [checked] = parseMultiPublishBody({ events: [entry] }, ctx.limits.event);
    try {
      const outcome = await ctx.publisher.publish([checked as StreamEventInput], 'http');
      const [result] = outcome.results;
      if (!result) throw new Error('append reported no result');
      if (result.duplicate) return { outcome: 'duplicate', stream, id: result.id, seq: result.seq };
      return { outcome: isStale ? 'stale' : 'appended', stream, id: result.id, seq: result.seq };
    } catch (error) {
      if (isHeraldError(error) && error.code === 'stream_final')
        return { outcome: 'ignored', stream, reason: 'stream_final' };
      const isRetryable = isHeraldError(error) && error.code === 'seq_conflict' && attempt < MAX_ATTEMPTS;
      if (!isRetryable) throw error;
    }
  }
}
