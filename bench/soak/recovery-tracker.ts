import type { FaultKind } from './fault-schedule.js';
import type { TransportGroup } from './subscriber-fleet.js';

interface PendingRecovery {
  kind: FaultKind;
  endedAt: number;
  /** Per stream, the seq each subscriber must have: the first publish after the fault ended. */
  targets: Map<string, number>;
  /** Transports not yet recovered. */
  waiting: Set<TransportGroup>;
}

const CHECK_INTERVAL_MS = 100;

/**
 * Times each transport's recovery from each fault: from the fault's end until every subscription
 * of the transport has every event up to the first one published after the end (so a
 * reconnect, a gap fill and a catch-up all count, and an idle period does not).
 */
export class RecoveryTracker {
  /** Recovery times in ms, per transport and fault kind. */
  readonly times = new Map<string, Map<FaultKind, number[]>>();
  readonly #pending: PendingRecovery[] = [];
  readonly #groups: readonly TransportGroup[];
  #timer: NodeJS.Timeout | undefined;

  constructor(groups: readonly TransportGroup[]) {
    this.#groups = groups;
  }

  start(): void {
    this.#timer = setInterval(() => this.#check(), CHECK_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A fault of `kind` just ended, with `heads` the publishes acknowledged per stream so far. */
  faultEnded(kind: FaultKind, heads: ReadonlyMap<string, number>): void {
    const targets = new Map([...heads].map(([stream, head]) => [stream, head + 1]));
    this.#pending.push({ kind, endedAt: Date.now(), targets, waiting: new Set(this.#groups) });
  }

  #check(): void {
    const now = Date.now();
    for (const pending of [...this.#pending]) {
      for (const group of pending.waiting) {
        const hasRecovered = group.records.every((record) =>
          record.hasAllUpTo(pending.targets.get(record.stream) ?? 0),
        );
        if (!hasRecovered) continue;
        pending.waiting.delete(group);
        const byKind = this.times.get(group.transport) ?? new Map<FaultKind, number[]>();
        this.times.set(group.transport, byKind);
        byKind.set(pending.kind, [...(byKind.get(pending.kind) ?? []), now - pending.endedAt]);
      }
      if (pending.waiting.size === 0) this.#pending.splice(this.#pending.indexOf(pending), 1);
    }
  }
}
