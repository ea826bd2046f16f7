import { randomBytes } from 'node:crypto';
import {
  applyMergePatch,
  DEFAULT_MAX_STATE_BYTES,
  HeraldError,
  type HeraldEvent,
  type JsonValue,
  type StreamEventInput,
  type Tags,
} from '@herald/protocol';
import { createEventId } from './event-id.js';
import type { AppendOutcome, EventRecord } from './event-log.js';
import { assertSameEvent } from './idempotent-repeat.js';

/**
 * The append rules every EventLog shares, as one pure function over what the store holds.
 *
 * Invariants (the contract of `EventLog.append`, checked by test/support/event-log-contract.ts):
 * - A1 seqs are contiguous per stream: each appended event gets the stream's head seq + 1.
 * - A2 an `id` the stream already holds (stored, or earlier in the same batch) appends nothing and
 *   reports the original seq when the event is the same (idempotent-repeat.ts), and is refused
 *   with `id_conflict` when it differs; such a repeat skips the `expectedSeq` and final checks, so
 *   retrying an acknowledged publish (even the final one) answers the same as the first time.
 * - A3 `expectedSeq` is the head seq before that event, counting earlier events of the batch.
 * - A4 nothing follows a final event; `final: true` closes the stream.
 * - A5 `state` is the fold of every event's merge patch, starting from `null`.
 * - A6 per stream, `time` never decreases with seq, so retention by age always removes a prefix
 *   of the stream and `firstSeq` stays the oldest held event (no holes if the clock steps back).
 * - A7 a request whose patches leave a stream's state larger than `maxStateBytes` (its JSON, in
 *   UTF-8) is refused whole with `state_too_large`; intermediate states within the request do not
 *   count, only what would be stored. Cost: a patch copies only the objects on its own paths
 *   (applyMergePatch), and each changed stream's state is serialised once per request, that text
 *   being both what is measured and what the store writes, so an append costs at most one
 *   serialisation of a state no larger than the cap.
 * - Any error rejects the whole batch: the planner throws before the store writes anything.
 */

/** A stream's stored head: what an append reads and writes. */
export interface StreamHead {
  stream: string;
  epoch: string;
  /** Seq of the last event appended. */
  seq: number;
  state: JsonValue;
  final: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One event an append stores, with the columns stores index besides its JSON text. */
export interface PlannedEvent extends EventRecord {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly tags: Tags | undefined;
}

/** A stream's new head as an append plans it, with its state serialised once for the store. */
export interface PlannedHead extends StreamHead {
  /** `JSON.stringify(state)`: what the store writes. */
  readonly stateJson: string;
}

/** Everything a store must write for one append, and what to answer once it is committed. */
export interface AppendPlan {
  outcome: AppendOutcome;
  /** The new heads of the streams that got events (new streams included), to upsert. */
  heads: PlannedHead[];
  /** The events to insert, in commit order (per stream, seq order). */
  events: PlannedEvent[];
}

/** What the planner reads from the store, inside the store's transaction. */
export interface AppendView {
  /** The stored head of `stream`; undefined when the stream does not exist. */
  getHead(stream: string): StreamHead | undefined;
  /** The stored event `id` of `stream`; undefined when there is none. */
  findById(stream: string, id: string): EventRecord | undefined;
}

/** Limits an append is planned under. */
export interface AppendLimits {
  /** Largest state document, as JSON in UTF-8 bytes (default 1 MiB). */
  maxStateBytes?: number;
}

/** Bytes of randomness in an epoch: 96 bits, 16 base64url characters. */
const EPOCH_BYTES = 12;

/** A fresh random epoch for a newly created stream. */
function createEpoch(): string {
  return randomBytes(EPOCH_BYTES).toString('base64url');
}

/** The distinct streams an append touches, sorted (a stable lock order for stores that lock rows). */
export function listTouchedStreams(entries: readonly StreamEventInput[]): string[] {
  return [...new Set(entries.map((entry) => entry.stream))].sort();
}

/**
 * Serialises the event `entry` becomes at `seq`, with the wire field order: stream, seq, id, type,
 * time, data, state, tags, final. Built field by field: this runs once per appended event.
 */
function serializeEvent(entry: StreamEventInput, seq: number, id: string, time: string): string {
  const event: HeraldEvent = { stream: entry.stream, seq, id, type: entry.type, time };
  if (entry.data !== undefined) event.data = entry.data;
  if (entry.state !== undefined) event.state = entry.state;
  if (entry.tags !== undefined) event.tags = entry.tags;
  if (entry.final) event.final = true;
  return JSON.stringify(event);
}

function assertAppendable(entry: StreamEventInput, head: StreamHead | undefined): void {
  const headSeq = head?.seq ?? 0;
  if (head?.final) {
    throw new HeraldError('stream_final', `stream "${entry.stream}" is final`, {
      details: { stream: entry.stream, seq: headSeq },
    });
  }
  const hasSeqConflict = entry.expectedSeq !== undefined && entry.expectedSeq !== headSeq;
  if (hasSeqConflict) {
    throw new HeraldError('seq_conflict', `stream "${entry.stream}" is at seq ${headSeq}, not ${entry.expectedSeq}`, {
      details: { stream: entry.stream, expectedSeq: entry.expectedSeq, actualSeq: headSeq },
    });
  }
}

/**
 * Plans one atomic append of `entries` against the store's current contents (`view`), received
 * at `now`. Throws `seq_conflict`, `stream_final` or `id_conflict` (a HeraldError) for the whole batch.
 */
export function planAppend(
  entries: readonly StreamEventInput[],
  view: AppendView,
  now = new Date(),
  limits: AppendLimits = {},
): AppendPlan {
  const receivedAt = now.toISOString();
  const heads = new Map<string, StreamHead | undefined>();
  const batchEventById = new Map<string, Map<string, EventRecord>>();
  const results: AppendOutcome['results'] = [];
  const events: PlannedEvent[] = [];
  const patchedStreams = new Set<string>();

  const currentHead = (stream: string): StreamHead | undefined => {
    if (!heads.has(stream)) heads.set(stream, view.getHead(stream));
    return heads.get(stream);
  };

  for (const entry of entries) {
    const { stream } = entry;
    const head = currentHead(stream);
    const earlierInBatch = entry.id === undefined ? undefined : batchEventById.get(stream)?.get(entry.id);
    const original = earlierInBatch ?? (entry.id === undefined ? undefined : view.findById(stream, entry.id));
    if (entry.id !== undefined && original !== undefined) {
      assertSameEvent(entry, original, earlierInBatch === undefined ? 'stored' : 'batch');
      results.push({ stream, id: entry.id, seq: original.seq, duplicate: true });
      continue;
    }
    assertAppendable(entry, head);

    const seq = (head?.seq ?? 0) + 1;
    const id = entry.id ?? createEventId();
    // A6: ISO 8601 UTC strings order like the instants they name.
    const time = head !== undefined && head.updatedAt > receivedAt ? head.updatedAt : receivedAt;
    const json = serializeEvent(entry, seq, id, time);
    events.push({ stream, seq, json, id, type: entry.type, time, tags: entry.tags });
    results.push({ stream, id, seq, duplicate: false });
    if (entry.state !== undefined) patchedStreams.add(stream);

    heads.set(stream, {
      stream,
      epoch: head?.epoch ?? createEpoch(),
      seq,
      state: entry.state === undefined ? (head?.state ?? null) : applyMergePatch(head?.state ?? null, entry.state),
      final: entry.final === true,
      createdAt: head?.createdAt ?? time,
      updatedAt: time,
    });
    // A2 within the batch; a generated id cannot repeat, so only the producer's ids are kept.
    if (entry.id !== undefined) {
      const eventById = batchEventById.get(stream) ?? new Map<string, EventRecord>();
      eventById.set(entry.id, { stream, seq, json });
      batchEventById.set(stream, eventById);
    }
  }

  const changedStreams = new Set(events.map((event) => event.stream));
  const touchedHeads = [...heads.values()].filter((head): head is StreamHead => head !== undefined);
  const maxStateBytes = limits.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
  const plannedHeads = touchedHeads
    .filter((head) => changedStreams.has(head.stream))
    .map((head) => serializeHead(head, patchedStreams.has(head.stream) ? maxStateBytes : Infinity));
  return {
    outcome: {
      results,
      appended: events.map(({ stream, seq, json }) => ({ stream, seq, json })),
      heads: touchedHeads.map(({ stream, epoch, seq }) => ({ stream, epoch, seq })),
    },
    heads: plannedHeads,
    events,
  };
}

/**
 * Serialises a head's state once; throws `state_too_large` when it is over `maxStateBytes` (A7).
 * A stream no event of the request patched keeps its stored state, whatever the limit is now.
 */
function serializeHead(head: StreamHead, maxStateBytes: number): PlannedHead {
  const stateJson = JSON.stringify(head.state);
  // UTF-8 is at most 3 bytes per UTF-16 unit: most states are decided without counting bytes.
  const size = stateJson.length * 3 <= maxStateBytes ? stateJson.length : Buffer.byteLength(stateJson);
  if (size > maxStateBytes) {
    throw new HeraldError(
      'state_too_large',
      `the state of stream "${head.stream}" would be ${size} bytes; the limit is ${maxStateBytes}`,
      { details: { stream: head.stream, size, limit: maxStateBytes } },
    );
  }
  return { ...head, stateJson };
}
