import { encodeSseControl } from '@herald/protocol';
import type { ResetNotice } from '../delivery/subscription.js';

/** `event: reset`: the position is void; data is the snapshot at the head (`seq`, `state`). */
export function encodeSseReset(notice: ResetNotice): string {
  const { stream, reason, epoch, seq, firstSeq, state } = notice;
  return encodeSseControl('reset', JSON.stringify({ stream, reason, epoch, seq, firstSeq, state }));
}

/** `event: live`: everything up to `seq` was sent; what follows is live. */
export function encodeSseLive(stream: string, seq: number): string {
  return encodeSseControl('live', JSON.stringify({ stream, seq }));
}

/** `event: final`: the stream closed at `seq`; nothing more will follow for it. */
export function encodeSseFinal(stream: string, seq: number): string {
  return encodeSseControl('final', JSON.stringify({ stream, seq }));
}
