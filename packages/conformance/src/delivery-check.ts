import type { HeraldEvent, JsonValue } from '@herald/protocol';
import type { WireSubscriber } from './wires/wire.js';

/** What a subscriber should have received, in order: each event's seq and the content published. */
export interface ExpectedEvent {
  seq: number;
  type: string;
  data?: JsonValue;
}

/** How a delivery departs from the expected one; all empty when it matches exactly. */
export interface DeliveryReport {
  /** Expected seqs never delivered (G1). */
  missing: number[];
  /** Seqs delivered more than once (G2). */
  duplicated: number[];
  /** Seqs delivered after a higher seq (G3). */
  reordered: number[];
  /** Seqs never expected (another stream's, or beyond the head). */
  unexpected: number[];
  /** Seqs delivered with a type or data other than what was published. */
  altered: number[];
}

/** Compares the events a subscriber received with what was published to it. */
export function compareDelivery(received: readonly HeraldEvent[], expected: readonly ExpectedEvent[]): DeliveryReport {
  const expectedBySeq = new Map(expected.map((event) => [event.seq, event]));
  const seen = new Set<number>();
  const report: DeliveryReport = { missing: [], duplicated: [], reordered: [], unexpected: [], altered: [] };
  let highest = 0;
  for (const event of received) {
    if (seen.has(event.seq)) report.duplicated.push(event.seq);
    else if (event.seq < highest) report.reordered.push(event.seq);
    seen.add(event.seq);
    highest = Math.max(highest, event.seq);
    const published = expectedBySeq.get(event.seq);
    if (!published) report.unexpected.push(event.seq);
    else if (event.type !== published.type || JSON.stringify(event.data) !== JSON.stringify(published.data)) {
      report.altered.push(event.seq);
    }
  }
  report.missing = expected.map((event) => event.seq).filter((seq) => !seen.has(seq));
  return report;
}

/** `missing seqs 3, 9; duplicated seqs 4`: the problems of a report, or `''` when there are none. */
export function describeDelivery(report: DeliveryReport): string {
  return (Object.entries(report) as [keyof DeliveryReport, number[]][])
    .filter(([, seqs]) => seqs.length > 0)
    .map(([problem, seqs]) => `${problem} seqs ${seqs.join(', ')}`)
    .join('; ');
}

/**
 * Throws, naming the wire, the stream and the seqs, unless `subscriber` received exactly
 * `expected`: every seq, once, in order, with the published content.
 */
export function expectDelivered(subscriber: WireSubscriber, expected: readonly ExpectedEvent[]): void {
  const problems = describeDelivery(compareDelivery(subscriber.events, expected));
  if (problems) {
    const seqs = subscriber.events.map((event) => event.seq).join(',') || 'none';
    throw new Error(`${subscriber.wire} subscriber of ${subscriber.stream}: ${problems} (delivered: ${seqs})`);
  }
}

/** The `tick` events `ticks(from, to)` publishes, as the subscriber should see them at seqs from…to. */
export function expectedTicks(from: number, to: number, firstSeq = from): ExpectedEvent[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => ({
    seq: firstSeq + i,
    type: 'tick',
    data: { n: from + i },
  }));
}
