import { HeraldError, type HeraldEvent, isJsonEqual, type JsonValue, type StreamEventInput } from '@herald/protocol';
import type { EventRecord } from './event-log.js';

/**
 * When a publish reuses an `id` its stream already holds, it is a retry only if it carries the same
 * event; otherwise it is refused with `id_conflict` (409, nothing appended), as Stripe refuses a
 * reused idempotency key with different parameters. Two publishes are the same event when their
 * `type`, `data`, `state`, `tags` and `final` are equal as JSON values: member order does not
 * matter, an absent `data` or `state` differs from `null`, absent `tags` equal `{}`, and an absent
 * `final` equals `false`. `expectedSeq` is not part of the event (a retry may drop or keep it), and
 * neither are the fields Herald assigns (`seq`, `time`).
 */

type EventIdentity = Pick<HeraldEvent, 'type' | 'data' | 'state' | 'tags' | 'final'>;

/** The fields that identify an event, normalised: absent tags, `{}` tags and `final: false` are left out. */
function identityOf(event: EventIdentity | StreamEventInput): { [key: string]: JsonValue } {
  const identity: { [key: string]: JsonValue } = { type: event.type };
  if (event.data !== undefined) identity.data = event.data;
  if (event.state !== undefined) identity.state = event.state;
  if (event.tags !== undefined && Object.keys(event.tags).length > 0) identity.tags = event.tags;
  if (event.final === true) identity.final = true;
  return identity;
}

/**
 * Throws `id_conflict` unless `entry` is the same event as `original`, the event with its id: one
 * the stream holds (`stored`; the error names its seq), or one earlier in the same batch (`batch`;
 * the whole batch is refused, so that one is never stored and has no seq to name).
 */
export function assertSameEvent(entry: StreamEventInput, original: EventRecord, from: 'stored' | 'batch'): void {
  const earlier = JSON.parse(original.json) as HeraldEvent;
  if (isJsonEqual(identityOf(entry), identityOf(earlier))) return;
  if (from === 'batch') {
    throw new HeraldError(
      'id_conflict',
      `the batch holds two different events with id "${earlier.id}" for stream "${entry.stream}"`,
      { details: { stream: entry.stream, id: earlier.id } },
    );
  }
  throw new HeraldError(
    'id_conflict',
    `stream "${entry.stream}" already holds a different event with id "${earlier.id}" (seq ${earlier.seq})`,
    { details: { stream: entry.stream, id: earlier.id, seq: earlier.seq } },
  );
}
