/**
 * The ordering rule for GitHub deliveries (README "GitHub Actions"): GitHub does not promise to
 * deliver webhooks in order, so a `completed` may arrive before the `in_progress` it follows. A
 * run's, job's or check run's progress is the pair (status rank, updatedAt):
 *
 *   requested = pending = queued (0) < waiting (1) < in_progress (2) < completed (3)
 *
 * ranked first, then by the delivery's own timestamp (a run's `updated_at`; a job's or check run's
 * latest `started_at`/`completed_at`, steps included), then, for a job, by how far its steps have
 * got (the sum of their status ranks: GitHub's times have one-second resolution, so two
 * deliveries of a running job often share one). A delivery whose progress is lower than
 * what the state already shows is stale: it changes no state. Equal progress applies (it carries
 * the same facts), and a missing timestamp on either side compares by rank alone. A status GitHub
 * may add later ranks with `queued`, so it never overrides a known later one.
 */

const STATUS_RANK: Record<string, number> = {
  requested: 0,
  pending: 0,
  queued: 0,
  waiting: 1,
  in_progress: 2,
  completed: 3,
};

/** Where a run, job or check run stands: its status and the time GitHub last changed it. */
export interface Progress {
  status: string;
  /** ISO 8601, or null when the payload gives no time. */
  updatedAt: string | null;
  /** A job's steps' status ranks, summed (absent for runs and check runs). */
  stepRanks?: number;
}

/** The rank of a status in the order above. */
export function rankOf(status: string): number {
  return STATUS_RANK[status] ?? 0;
}

function timeOf(iso: string | null): number | null {
  const ms = iso === null ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Negative when `a` is behind `b`, positive when ahead, 0 when neither can be told apart. */
export function compareProgress(a: Progress, b: Progress): number {
  const byRank = rankOf(a.status) - rankOf(b.status);
  if (byRank !== 0) return byRank;
  const aTime = timeOf(a.updatedAt);
  const bTime = timeOf(b.updatedAt);
  const byTime = aTime === null || bTime === null ? 0 : aTime - bTime;
  if (byTime !== 0) return byTime;
  return a.stepRanks === undefined || b.stepRanks === undefined ? 0 : a.stepRanks - b.stepRanks;
}

/** Whether a delivery at `incoming` would move the state back from `current` (absent: never). */
export function isStale(incoming: Progress, current: Progress | undefined): boolean {
  return current !== undefined && compareProgress(incoming, current) < 0;
}

/** The latest of some ISO timestamps (nulls ignored), or null when there is none. */
export function latestTime(times: readonly (string | null)[]): string | null {
  let latest: string | null = null;
  for (const time of times) {
    const ms = timeOf(time);
    if (ms !== null && (latest === null || ms > (timeOf(latest) as number))) latest = time;
  }
  return latest;
}
