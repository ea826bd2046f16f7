import type { HeraldEvent } from '@herald/client';
import { contentChecksum, expectedEventId, type SoakEventData } from './soak-publisher.js';

/**
 * What one subscription was handed, checked as it arrives: a seq below the next expected one is a
 * duplicate (seen before) or a reorder (not seen before, arriving after a later one); a seq above
 * it leaves a gap, whose seqs stay missing until they arrive (then they count as reordered).
 * Content is checked against what the publisher sent for that seq.
 */
export class DeliveryRecord {
  /** `transport#client/stream`: the name failures are reported under. */
  readonly name: string;
  readonly stream: string;
  delivered = 0;
  duplicated = 0;
  reordered = 0;
  resets = 0;
  /** The highest seq delivered so far. */
  highestSeq = 0;
  readonly #missing = new Set<number>();
  readonly contentErrors: string[] = [];
  /** End-to-end latencies in ms (publish attempt → onEvent), shared by a transport's records. */
  readonly #latenciesMs: number[];
  readonly #droppedSeq: number | undefined;

  constructor(name: string, stream: string, latenciesMs: number[] = [], droppedSeq?: number) {
    this.name = name;
    this.stream = stream;
    this.#latenciesMs = latenciesMs;
    this.#droppedSeq = droppedSeq;
  }

  /** Records one delivery at `nowMs` (epoch ms). */
  onEvent(event: HeraldEvent, nowMs: number): void {
    // The test hook of a deliberately broken build: this delivery is lost on the way.
    if (event.seq === this.#droppedSeq) return;
    this.delivered += 1;
    this.#checkContent(event);
    const data = event.data as Partial<SoakEventData> | undefined;
    if (typeof data?.publishedAtMs === 'number') this.#latenciesMs.push(nowMs - data.publishedAtMs);
    if (event.seq > this.highestSeq) {
      for (let seq = this.highestSeq + 1; seq < event.seq; seq++) this.#missing.add(seq);
      this.highestSeq = event.seq;
    } else if (this.#missing.delete(event.seq)) {
      this.reordered += 1;
    } else {
      this.duplicated += 1;
    }
  }

  onReset(): void {
    this.resets += 1;
  }

  /** Whether every seq up to `seq` has been delivered. */
  hasAllUpTo(seq: number): boolean {
    if (this.highestSeq < seq) return false;
    for (const missing of this.#missing) if (missing <= seq) return false;
    return true;
  }

  /** Seqs up to `head` that never arrived, in order. */
  missingUpTo(head: number): number[] {
    const missing = [...this.#missing];
    for (let seq = this.highestSeq + 1; seq <= head; seq++) missing.push(seq);
    return missing.sort((a, b) => a - b);
  }

  #checkContent(event: HeraldEvent): void {
    const data = event.data as Partial<SoakEventData> | undefined;
    const isExpected =
      event.stream === this.stream &&
      event.id === expectedEventId(this.stream, event.seq) &&
      data?.n === event.seq &&
      data.checksum === contentChecksum(this.stream, event.seq);
    if (!isExpected && this.contentErrors.length < 5) {
      this.contentErrors.push(`seq ${event.seq} has id ${event.id} and data ${JSON.stringify(event.data)}`);
    }
  }
}
