import type { ResetReason, StreamSnapshot } from '@herald/protocol';

/** Where a subscriber resumes: straight from its position, or after an explicit reset. */
export type ResumeDecision =
  | { kind: 'catch-up'; after: number }
  | { kind: 'reset'; reason: ResetReason /** events follow from firstSeq */; after: number };

/**
 * The one rule, shared by HTTP pages, SSE and WebSocket, for resuming at `after` (G1: never a
 * silent gap). A position whose history is gone (`after < firstSeq − 1`) is `truncated`; a
 * position from another epoch — or beyond the head, which only a deleted and recreated stream
 * explains — is `epoch_changed`. A client that does not know its epoch (`undefined`) is trusted.
 */
export function resolveResume(snapshot: StreamSnapshot, after: number, epoch?: string | null): ResumeDecision {
  const resetAfter = snapshot.firstSeq - 1;
  const isOtherEpoch = epoch != null && epoch !== snapshot.epoch;
  if (isOtherEpoch || after > snapshot.seq) return { kind: 'reset', reason: 'epoch_changed', after: resetAfter };
  if (after < resetAfter) return { kind: 'reset', reason: 'truncated', after: resetAfter };
  return { kind: 'catch-up', after };
}

/**
 * Whether a subscriber at `after` (of `epoch`) has already seen `snapshot`'s final event, so a
 * live transport has nothing to send: SSE answers 204, the one answer that stops EventSource from
 * reconnecting. As in resolveResume, a position without an epoch (`undefined` or `null`) is trusted,
 * but only at the final seq itself: a position past the head is another epoch's (resolveResume
 * resets it), so its client must be reset into this one, not told the stream is done.
 */
export function hasSeenFinal(snapshot: StreamSnapshot, after: number, epoch?: string | null): boolean {
  const isSameEpoch = epoch == null || epoch === snapshot.epoch;
  return snapshot.final && isSameEpoch && after === snapshot.seq;
}

/**
 * Snapshot as position: a subscriber that asks for the state but gives no position starts at the
 * state's seq, so the events that follow apply to that state.
 */
export function resolveSnapshotPosition(snapshot: StreamSnapshot): { after: number; epoch?: string } {
  return snapshot.epoch === null ? { after: snapshot.seq } : { after: snapshot.seq, epoch: snapshot.epoch };
}
