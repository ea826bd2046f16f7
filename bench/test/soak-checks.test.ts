import type { HeraldEvent } from '@herald/client';
import { describe, expect, it } from 'vitest';
import { DeliveryRecord } from '../soak/delivery-record.js';
import { createFaultSchedule, faultKindsOf } from '../soak/fault-schedule.js';
import type { ResourceSample } from '../soak/resource-monitor.js';
import { checkDeliveries, checkHeads, checkRssGrowth, formatSeqs, measureRssGrowth } from '../soak/soak-checks.js';
import { contentChecksum, expectedEventId } from '../soak/soak-publisher.js';

const STREAM = 'soak:3';

function soakEvent(seq: number, overrides: Partial<HeraldEvent> = {}): HeraldEvent {
  return {
    stream: STREAM,
    seq,
    id: expectedEventId(STREAM, seq),
    type: 'soak_tick',
    time: new Date().toISOString(),
    data: { n: seq, checksum: contentChecksum(STREAM, seq), publishedAtMs: Date.now() },
    ...overrides,
  } as HeraldEvent;
}

function recordOf(seqs: number[], droppedSeq?: number): DeliveryRecord {
  const record = new DeliveryRecord(`sse#1/${STREAM}`, STREAM, [], droppedSeq);
  for (const seq of seqs) record.onEvent(soakEvent(seq), Date.now());
  return record;
}

const heads = new Map([[STREAM, 5]]);

describe('soak delivery checks', () => {
  it('passes a subscription that received exactly 1..head', () => {
    expect(checkDeliveries([recordOf([1, 2, 3, 4, 5])], heads)).toEqual([]);
  });

  it('names the subscription and the missing seqs of a lost delivery', () => {
    expect(checkDeliveries([recordOf([1, 2, 4])], heads)).toEqual([
      `sse#1/${STREAM}: lost 2 of 5 events, missing seqs 3, 5`,
    ]);
  });

  it('reports a delivery the drop hook discarded as lost', () => {
    const record = recordOf([1, 2, 3, 4, 5], 4);

    expect(record.delivered).toBe(4);
    expect(checkDeliveries([record], heads)).toEqual([`sse#1/${STREAM}: lost 1 of 5 events, missing seqs 4`]);
  });

  it('counts a seq delivered twice as a duplicate', () => {
    expect(checkDeliveries([recordOf([1, 2, 2, 3, 4, 5])], heads)).toEqual([`sse#1/${STREAM}: 1 duplicate deliveries`]);
  });

  it('counts a seq delivered after a later one as reordered', () => {
    expect(checkDeliveries([recordOf([1, 3, 2, 4, 5])], heads)).toEqual([`sse#1/${STREAM}: 1 deliveries out of order`]);
  });

  it('reports an event whose content differs from what its publisher sent', () => {
    const record = new DeliveryRecord(`ws#0/${STREAM}`, STREAM);
    record.onEvent(soakEvent(1, { data: { n: 1, checksum: 0, publishedAtMs: 0 } }), Date.now());

    expect(checkDeliveries([record], new Map([[STREAM, 1]]))).toEqual([
      `ws#0/${STREAM}: wrong content: seq 1 has id ${STREAM}/1 and data {"n":1,"checksum":0,"publishedAtMs":0}`,
    ]);
  });

  it('shortens long runs of missing seqs to ranges', () => {
    expect(formatSeqs([1, 2, 3, 7, 9, 10])).toBe('1-3, 7, 9-10');
    expect(formatSeqs([1, 3, 5], 2)).toBe('1, 3, … (1 more ranges)');
  });

  it('fails a stream whose head differs from its acknowledged publishes', () => {
    const server = new Map([
      ['a', 10],
      ['b', 11],
    ]);
    const acked = new Map([
      ['a', 10],
      ['b', 10],
    ]);

    expect(checkHeads(server, acked)).toEqual(['b: head is 11, but 10 publishes were acknowledged']);
  });
});

describe('soak memory check', () => {
  const sample = (atMs: number, rssKiB: number, ageMs = atMs, pid = 1, afterGc = true): ResourceSample => ({
    atMs,
    ageMs,
    rssKiB,
    afterGc,
    node: 0,
    pid,
    fds: 0,
    nonSocketFds: 0,
    closeWaitSockets: 0,
  });

  it('ignores warm-up samples and passes growth within 10%', () => {
    const samples = [sample(0, 50_000), sample(5000, 100_000), sample(10_000, 100_000), sample(15_000, 105_000)];

    expect(checkRssGrowth(measureRssGrowth(samples, 1, 5000))).toEqual([]);
  });

  it('fails growth beyond 10% after warm-up', () => {
    const samples = [sample(5000, 100_000), sample(10_000, 100_000), sample(15_000, 100_000), sample(20_000, 120_000)];
    samples.push(sample(25_000, 120_000), sample(30_000, 120_000));

    expect(checkRssGrowth(measureRssGrowth(samples, 1, 5000))).toEqual([
      'node 1 (pid 1): RSS grew 20.0% after warm-up (100000 KiB → 120000 KiB), above 10%',
    ]);
  });

  it('judges each process of a restarted node on its own, not the successor against the killed one', () => {
    const first = [sample(5000, 100_000), sample(10_000, 100_000), sample(15_000, 101_000)];
    // Restarted at 20 s: the new process warms up again, then sits higher with the clients it took over.
    const second = [25_000, 30_000, 35_000, 40_000].map((atMs) => sample(atMs, 120_000, atMs - 20_000, 2));

    expect(checkRssGrowth(measureRssGrowth([...first, ...second], 1, 5000))).toEqual([]);
    const grown = [25_000, 30_000, 35_000, 40_000, 45_000, 50_000].map((atMs, i) =>
      sample(atMs, i < 3 ? 120_000 : 160_000, atMs - 20_000, 2),
    );
    const leaking = [...first, ...grown];
    expect(checkRssGrowth(measureRssGrowth(leaking, 1, 5000))).toEqual([
      'node 1 (pid 2): RSS grew 33.3% after warm-up (120000 KiB → 160000 KiB), above 10%',
    ]);
  });

  it('judges only samples taken right after a garbage collection', () => {
    // Garbage V8 has not collected yet swells the uncollected readings; the collected ones are flat.
    const samples = [5000, 10_000, 15_000, 20_000, 25_000, 30_000].flatMap((atMs, i) => [
      sample(atMs, 100_000),
      sample(atMs + 1, 100_000 + i * 10_000, atMs + 1, 1, false),
    ]);

    expect(checkRssGrowth(measureRssGrowth(samples, 1, 5000))).toEqual([]);
    const unjudgeable = samples.map((s) => ({ ...s, afterGc: false }));
    expect(checkRssGrowth(measureRssGrowth(unjudgeable, 1, 5000))).toEqual([
      'node 1: too few RSS samples after warm-up to judge memory',
    ]);
  });

  it('fails a node with too few samples after warm-up to judge', () => {
    expect(checkRssGrowth(measureRssGrowth([sample(1000, 100_000)], 1, 5000))).toEqual([
      'node 1: too few RSS samples after warm-up to judge memory',
    ]);
  });
});

describe('soak fault schedule', () => {
  it('gives the same schedule for the same seed and another for another seed', () => {
    const schedule = (seed: number) => createFaultSchedule(seed, 'cluster', 600_000, 10_000, 3, 0);

    expect(schedule(42)).toEqual(schedule(42));
    expect(schedule(42).map((fault) => fault.kind)).not.toEqual(schedule(43).map((fault) => fault.kind));
  });

  it.each(['single', 'cluster'] as const)(
    'meets every fault kind within the quick set on %s, one every 10 s',
    (topology) => {
      const schedule = createFaultSchedule(7, topology, 90_000, 10_000, topology === 'cluster' ? 3 : 1, 40_000);

      expect(schedule.map((fault) => fault.atMs)).toEqual([10, 20, 30, 40, 50, 60, 70, 80].map((s) => s * 1000));
      expect(new Set(schedule.map((fault) => fault.kind))).toEqual(new Set(faultKindsOf(topology)));
    },
  );

  it.each(['single', 'cluster'] as const)(
    'lets every node live at least the given time between two kills on %s, so its memory can be judged',
    (topology) => {
      const nodeCount = topology === 'cluster' ? 3 : 1;
      for (let seed = 1; seed <= 200; seed++) {
        const kills = createFaultSchedule(seed, topology, 150_000, 10_000, nodeCount, 40_000).filter(
          (fault) => fault.kind === 'kill-node',
        );
        for (let node = 0; node < nodeCount; node++) {
          const times = kills.filter((fault) => fault.node === node).map((fault) => fault.atMs);
          for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(40_000);
        }
      }
    },
  );

  it('kills the nodes in turn', () => {
    const kills = createFaultSchedule(3, 'cluster', 600_000, 10_000, 3, 0).filter(
      (fault) => fault.kind === 'kill-node',
    );

    expect(kills.map((fault) => fault.node)).toEqual(kills.map((_, i) => i % 3));
  });
});
