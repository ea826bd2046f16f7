import type { HeraldEvent } from '@herald/protocol';

/** Most out-of-order events held while a gap is filled; later ones are re-read by the gap fill. */
export const MAX_BUFFERED_EVENTS = 1000;

/** What `accept` did with one event. */
export interface AcceptResult {
  /** Events now deliverable, in seq order (the accepted one and any buffered ones it unblocked). */
  ready: HeraldEvent[];
  /** The seq was already delivered or buffered (G2). */
  isDuplicate: boolean;
}

/**
 * The client's one ordering rule for a stream (G1 no gap, G2 no duplicate, G3 order): an event is
 * deliverable only when its seq is the next one; later seqs wait in a buffer until the gap before
 * them is filled; seqs at or below the position, or already buffered, are duplicates.
 */
export class StreamOrder {
  #seq: number;
  #epoch: string | null;
  readonly #buffered = new Map<number, HeraldEvent>();

  constructor(seq: number, epoch: string | null = null) {
    this.#seq = seq;
    this.#epoch = epoch;
  }

  /** The last deliverable seq: the position to resume from. */
  get seq(): number {
    return this.#seq;
  }

  get epoch(): string | null {
    return this.#epoch;
  }

  /** Whether a later event is waiting for a missing one. */
  get hasGap(): boolean {
    return this.#buffered.size > 0;
  }

  /** Records the stream's epoch, learned from the server. */
  setEpoch(epoch: string | null): void {
    this.#epoch = epoch;
  }

  /** Takes one received event. */
  accept(event: HeraldEvent): AcceptResult {
    const isDuplicate = event.seq <= this.#seq || this.#buffered.has(event.seq);
    if (isDuplicate) return { ready: [], isDuplicate };
    if (event.seq !== this.#seq + 1) {
      if (this.#buffered.size < MAX_BUFFERED_EVENTS) this.#buffered.set(event.seq, event);
      return { ready: [], isDuplicate };
    }
    const ready = [event];
    this.#seq = event.seq;
    for (let next = this.#buffered.get(this.#seq + 1); next; next = this.#buffered.get(this.#seq + 1)) {
      this.#buffered.delete(next.seq);
      ready.push(next);
      this.#seq = next.seq;
    }
    return { ready, isDuplicate };
  }

  /** Moves the position after a reset: history up to `seq` is gone or replaced by a snapshot. */
  reset(epoch: string | null, seq: number): void {
    this.#epoch = epoch;
    this.#seq = seq;
    this.#buffered.clear();
  }
}
