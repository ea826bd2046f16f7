import type { JsonValue } from '@herald/protocol';

/**
 * One webhook delivery turned into a Herald event, before it is published. Its state patch is
 * decided against the stream's current state at publish time, so a mapping can refuse to move
 * the state backwards.
 */
export interface PlannedEvent {
  stream: string;
  type: string;
  /** The delivery's idempotency id (GitHub's `X-GitHub-Delivery`); absent: Herald makes one. */
  id?: string;
  data?: JsonValue;
  tags: Record<string, string>;
  /** Decides the state patch, and whether the event closes the stream, against the current state. */
  resolveState(current: JsonValue): StateDecision;
}

/**
 * A delivery's effect on the stream: a state patch (or none) and whether it closes the stream, or
 * stale: behind the state, so no patch and never final.
 */
export type StateDecision = { isStale: false; state?: JsonValue; isFinal: boolean } | { isStale: true };

/** What became of a delivery. */
export type IngestOutcome =
  | { outcome: 'appended'; stream: string; id: string; seq: number }
  /** Appended for the record with no state patch: it was behind the state (ordering rule). */
  | { outcome: 'stale'; stream: string; id: string; seq: number }
  /** The same delivery id is already in the stream: nothing appended (a redelivery). */
  | { outcome: 'duplicate'; stream: string; id: string; seq: number }
  /** The stream is already final: nothing appended (a late delivery for a finished run). */
  | { outcome: 'ignored'; stream: string; reason: 'stream_final' };
