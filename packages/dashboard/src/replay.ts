import { applyMergePatch, type HeraldEvent, type JsonValue } from '@herald/protocol';

/**
 * The state of a stream right after one of its events, or why it cannot be known from the events
 * held: `missingSeq` is the first event between 1 and `seq` that is not among them (retention
 * trimmed it when it is below `firstSeq`, the oldest event held, or null when none is held).
 */
export type ReplayResult =
  | { kind: 'state'; seq: number; state: JsonValue }
  | { kind: 'unavailable'; seq: number; missingSeq: number; firstSeq: number | null };

/**
 * Rebuilds the state as it was right after event `seq` by folding the state patches of events
 * 1 to `seq` (JSON Merge Patch, as the server applies them). A stream starts from a null state,
 * so only a fold from seq 1 is right: when any event of that range is missing — history trimmed
 * by retention, most often — the answer is `unavailable` rather than a state that never was.
 */
export function replayStateAt(events: readonly HeraldEvent[], seq: number): ReplayResult {
  const firstSeq = events[0]?.seq ?? null;
  let state: JsonValue = null;
  let expectedSeq = 1;
  for (const event of events) {
    if (expectedSeq > seq) break;
    if (event.seq !== expectedSeq) break;
    if (event.state !== undefined) state = applyMergePatch(state, event.state);
    expectedSeq++;
  }
  if (expectedSeq <= seq) return { kind: 'unavailable', seq, missingSeq: expectedSeq, firstSeq };
  return { kind: 'state', seq, state };
}
