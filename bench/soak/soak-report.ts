import { num, table } from '../src/report/tables.js';
import type { FaultKind } from './fault-schedule.js';
import type { RecoveryTracker } from './recovery-tracker.js';
import type { RssGrowth } from './soak-checks.js';
import type { TransportGroup } from './subscriber-fleet.js';

/** The per-transport table: deliveries, broken promises, latency and recovery per fault kind. */
export function renderTransportTable(
  groups: readonly TransportGroup[],
  heads: ReadonlyMap<string, number>,
  recovery: RecoveryTracker,
  kinds: readonly FaultKind[],
): string {
  const header = [
    'transport',
    'subscriptions',
    'delivered',
    'lost',
    'duplicated',
    'reordered',
    'resets',
    'p99 end-to-end ms',
    ...kinds.map((kind) => `recover after ${kind} ms (max)`),
  ];
  const rows = groups.map((group) => {
    const sum = (pick: (record: TransportGroup['records'][number]) => number) =>
      group.records.reduce((total, record) => total + pick(record), 0);
    const lost = sum((record) => record.missingUpTo(heads.get(record.stream) ?? 0).length);
    const times = recovery.times.get(group.transport);
    return [
      group.transport,
      num(group.records.length),
      num(sum((record) => record.delivered)),
      num(lost),
      num(sum((record) => record.duplicated)),
      num(sum((record) => record.reordered)),
      num(sum((record) => record.resets)),
      num(percentile(group.latenciesMs, 0.99), 1),
      ...kinds.map((kind) => {
        const values = times?.get(kind) ?? [];
        return values.length === 0 ? '–' : num(Math.max(...values));
      }),
    ];
  });
  return table(header, rows);
}

/** The `q` quantile (0..1) of `values`, exact; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

/** One line per node process: RSS after warm-up and at the end. */
export function renderRssLines(growths: readonly RssGrowth[]): string {
  return growths
    .map(
      ({ node, pid, baselineKiB, finalKiB, growth }) =>
        `node ${node + 1} (pid ${pid}): RSS ${num(baselineKiB / 1024, 1)} MiB after warm-up → ${num(finalKiB / 1024, 1)} MiB at the end (${num(growth * 100, 1)}%)`,
    )
    .join('\n');
}

/** How many faults of each kind ran. */
export function renderFaultCounts(counts: ReadonlyMap<FaultKind, number>): string {
  return [...counts].map(([kind, count]) => `${kind} ×${count}`).join(', ');
}
