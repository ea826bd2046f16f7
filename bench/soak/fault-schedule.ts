import { seededRandom } from '../../packages/server/test/support/seeded-random.js';
import type { Topology } from './soak-options.js';

/** The faults the soak injects (issue 18). */
export type FaultKind = 'cut' | 'blackout' | 'kill-node' | 'redis-restart' | 'slow-reader' | 'refuse-websocket';

/** One scheduled fault: what, when (ms into the load), and which node for a kill. */
export interface ScheduledFault {
  atMs: number;
  kind: FaultKind;
  /** The node a `kill-node` fault kills, in turn over the nodes. */
  node: number;
}

/** The fault kinds a topology can have: a single node has no Redis of its own. */
export function faultKindsOf(topology: Topology): FaultKind[] {
  const kinds: FaultKind[] = ['cut', 'blackout', 'kill-node', 'slow-reader', 'refuse-websocket'];
  return topology === 'cluster' ? [...kinds, 'redis-restart'] : kinds;
}

/**
 * A fault every `intervalMs` from `intervalMs` on, while the load runs. The first faults are a
 * seeded shuffle of every kind, so even the quick set meets each one; the rest are seeded draws.
 * A `kill-node` drawn for a node killed less than `minNodeLifeMs` before is drawn again among the
 * other kinds: each process must live long enough past its warm-up for its memory to be judged
 * (a single node killed every 20–30 s never would be). The same seed gives the same schedule,
 * which is what makes a failure replayable.
 */
export function createFaultSchedule(
  seed: number,
  topology: Topology,
  loadDurationMs: number,
  intervalMs: number,
  nodeCount: number,
  minNodeLifeMs: number,
): ScheduledFault[] {
  const random = seededRandom(seed);
  const kinds = faultKindsOf(topology);
  const shuffled = [...kinds];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const otherKinds = kinds.filter((kind) => kind !== 'kill-node');
  const lastKilledAtMs = new Map<number, number>();
  const schedule: ScheduledFault[] = [];
  let kills = 0;
  // The last interval stays quiet so the final fault's recovery is observed before the drain.
  for (let atMs = intervalMs; atMs < loadDurationMs - intervalMs / 2; atMs += intervalMs) {
    let kind = shuffled[schedule.length] ?? kinds[Math.floor(random() * kinds.length)]!;
    const next = kills % nodeCount;
    if (kind === 'kill-node' && atMs - (lastKilledAtMs.get(next) ?? -Infinity) < minNodeLifeMs)
      kind = otherKinds[Math.floor(random() * otherKinds.length)]!;
    const node = kind === 'kill-node' ? kills++ % nodeCount : 0;
    if (kind === 'kill-node') lastKilledAtMs.set(node, atMs);
    schedule.push({ atMs, kind, node });
  }
  return schedule;
}

/** One line per fault, for the console (printed before the run starts). */
export function formatFaultSchedule(schedule: readonly ScheduledFault[]): string {
  return schedule
    .map(
      (fault) =>
        `  t+${(fault.atMs / 1000).toFixed(0)}s ${fault.kind}${fault.kind === 'kill-node' ? ` node ${fault.node + 1}` : ''}`,
    )
    .join('\n');
}
