import type { DeliveryRecord } from './delivery-record.js';
import type { ResourceSample } from './resource-monitor.js';

/** Allowed RSS growth after warm-up (issue 18: 10 %). */
export const MAX_RSS_GROWTH = 0.1;

/** `1-3, 7, 9-12`: a list of seqs, shortened to at most `limit` ranges. */
export function formatSeqs(seqs: readonly number[], limit = 20): string {
  const ranges: string[] = [];
  for (let i = 0; i < seqs.length; ) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    ranges.push(i === j ? `${seqs[i]}` : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  const shown = ranges.slice(0, limit).join(', ');
  return ranges.length > limit ? `${shown}, … (${ranges.length - limit} more ranges)` : shown;
}

/**
 * G1–G3 and content per subscription: exactly seqs 1..head of its stream, each once, in order,
 * each with the content its publisher sent. One message per broken promise, naming the
 * subscription (and, for a loss, the missing seqs).
 */
export function checkDeliveries(records: readonly DeliveryRecord[], heads: ReadonlyMap<string, number>): string[] {
  const failures: string[] = [];
  for (const record of records) {
    const head = heads.get(record.stream) ?? 0;
    const missing = record.missingUpTo(head);
    if (missing.length > 0) {
      failures.push(`${record.name}: lost ${missing.length} of ${head} events, missing seqs ${formatSeqs(missing)}`);
    }
    if (record.highestSeq > head)
      failures.push(`${record.name}: received seq ${record.highestSeq} beyond the head ${head}`);
    if (record.duplicated > 0) failures.push(`${record.name}: ${record.duplicated} duplicate deliveries`);
    if (record.reordered > 0) failures.push(`${record.name}: ${record.reordered} deliveries out of order`);
    for (const error of record.contentErrors) failures.push(`${record.name}: wrong content: ${error}`);
  }
  return failures;
}

/** Each stream's head on the server must equal its acknowledged publishes (no lost or extra append). */
export function checkHeads(
  serverHeads: ReadonlyMap<string, number>,
  acknowledged: ReadonlyMap<string, number>,
): string[] {
  const failures: string[] = [];
  for (const [stream, count] of acknowledged) {
    const head = serverHeads.get(stream);
    if (head !== count) failures.push(`${stream}: head is ${head}, but ${count} publishes were acknowledged`);
  }
  return failures;
}

/** RSS growth of one node process after warm-up: the median of its first post-warm-up samples against its last ones. */
export interface RssGrowth {
  node: number;
  /** The process judged: a restarted node is a new process, with memory of its own. */
  pid: number;
  baselineKiB: number;
  finalKiB: number;
  growth: number;
}

const MEDIAN_WINDOW = 3;

/**
 * Per node process (a node restarted by a fault is a new process, judged on its own: comparing the
 * killed process's memory with its successor's would measure the restart, not a leak), samples
 * taken `warmUpMs` or more after the process started, right after a full garbage collection,
 * count; the median of the first three is the
 * baseline, the median of the last three the final figure. Each process with two such samples or
 * more is judged. A node none of whose processes has them cannot be judged, and fails the check: a
 * run too short to see memory proves nothing about it.
 */
export function measureRssGrowth(samples: readonly ResourceSample[], nodeCount: number, warmUpMs: number): RssGrowth[] {
  return Array.from({ length: nodeCount }, (_, node) => {
    const warmByPid = new Map<number, number[]>();
    for (const sample of samples) {
      if (sample.node !== node || sample.ageMs < warmUpMs || !sample.afterGc) continue;
      const warm = warmByPid.get(sample.pid) ?? [];
      warm.push(sample.rssKiB);
      warmByPid.set(sample.pid, warm);
    }
    const judged = [...warmByPid].filter(([, warm]) => warm.length >= 2);
    if (judged.length === 0)
      return [{ node, pid: 0, baselineKiB: Number.NaN, finalKiB: Number.NaN, growth: Number.NaN }];
    return judged.map(([pid, warm]) => {
      const baselineKiB = median(warm.slice(0, MEDIAN_WINDOW));
      const finalKiB = median(warm.slice(-MEDIAN_WINDOW));
      return { node, pid, baselineKiB, finalKiB, growth: finalKiB / baselineKiB - 1 };
    });
  }).flat();
}

export function checkRssGrowth(growths: readonly RssGrowth[]): string[] {
  return growths.flatMap(({ node, pid, baselineKiB, finalKiB, growth }) => {
    if (Number.isNaN(growth)) return [`node ${node + 1}: too few RSS samples after warm-up to judge memory`];
    if (growth <= MAX_RSS_GROWTH) return [];
    const percent = (growth * 100).toFixed(1);
    return [
      `node ${node + 1} (pid ${pid}): RSS grew ${percent}% after warm-up (${baselineKiB} KiB → ${finalKiB} KiB), above 10%`,
    ];
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
