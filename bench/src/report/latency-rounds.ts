import type { FanoutResult } from '../scenarios/fanout.js';

/**
 * One paced latency run and the round it was measured in. A round runs every target once at each
 * rate, one after the other, so a target and its peer of the same round saw the machine in about
 * the same state: their ratio is paired.
 */
export interface LatencyRun extends FanoutResult {
  round: number;
}

/** The median of `values` (the mean of the middle two when even); undefined when empty. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The runs of `target` at `perSecond` that delivered everything (a lossy run's tail is not
 * comparable).
 */
export function completeRuns(runs: readonly LatencyRun[], target: string, perSecond: number | undefined): LatencyRun[] {
  return runs.filter((run) => run.target === target && run.perSecond === perSecond && run.isComplete);
}

/** `peer`'s p99 in the same round and at the same rate as `run`, when that run delivered everything. */
export function sameRoundPeerP99(runs: readonly LatencyRun[], peer: string, run: LatencyRun): number | undefined {
  return completeRuns(runs, peer, run.perSecond).find((candidate) => candidate.round === run.round)?.p99Ms;
}

/** The median p99 of `target` at `perSecond` over its complete rounds. */
export function medianP99(runs: readonly LatencyRun[], target: string, perSecond: number): number | undefined {
  return median(completeRuns(runs, target, perSecond).map((run) => run.p99Ms));
}

/**
 * The median, over the rounds where both delivered everything, of `target`'s p99 ÷ `peer`'s p99 at
 * `perSecond`. The tail of one run moves by 2× between runs on a shared machine; pairing each run
 * with its peer of the same round and taking the median keeps one unlucky run from deciding.
 */
export function medianP99Ratio(
  runs: readonly LatencyRun[],
  target: string,
  peer: string,
  perSecond: number,
): number | undefined {
  const ratios = completeRuns(runs, target, perSecond).flatMap((run) => {
    const peerP99 = sameRoundPeerP99(runs, peer, run);
    return peerP99 === undefined ? [] : [run.p99Ms / peerP99];
  });
  return median(ratios);
}
