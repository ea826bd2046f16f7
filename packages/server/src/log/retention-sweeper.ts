import type { EventLog, RetentionPolicy } from './event-log.js';

/** Default pause between two retention sweeps, in ms. */
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

/** Options of a RetentionSweeper. */
export interface RetentionSweeperOptions {
  /** Pause between sweeps, in ms (default 60 000). */
  intervalMs?: number;
  /** Called after each sweep with the number of events deleted. */
  onSweep?: (deletedEvents: number) => void;
  /** Called when a sweep fails; the sweeper keeps running and tries again next interval. */
  onError?: (error: unknown) => void;
}

/**
 * The time before which `policy`'s age limit deletes events; undefined without an age limit.
 * 0 means no limit (keep forever), as documented for `HERALD_RETENTION_MAX_AGE_MS`.
 */
export function resolveRetentionCutoff(policy: RetentionPolicy, nowMs = Date.now()): string | undefined {
  const hasAgeLimit = policy.maxAgeMs !== undefined && policy.maxAgeMs > 0;
  return hasAgeLimit ? new Date(nowMs - policy.maxAgeMs!).toISOString() : undefined;
}

/** How many events per stream `policy` keeps; undefined without a count limit (0 = keep every event). */
export function resolveMaxEventsPerStream(policy: RetentionPolicy): number | undefined {
  const hasCountLimit = policy.maxEventsPerStream !== undefined && policy.maxEventsPerStream > 0;
  return hasCountLimit ? policy.maxEventsPerStream : undefined;
}

/** Applies a retention policy to an EventLog in the background, once per interval. */
export class RetentionSweeper {
  readonly #log: EventLog;
  readonly #policy: RetentionPolicy;
  readonly #options: RetentionSweeperOptions;
  #timer: NodeJS.Timeout | undefined;
  #isSweeping = false;

  constructor(log: EventLog, policy: RetentionPolicy, options: RetentionSweeperOptions = {}) {
    this.#log = log;
    this.#policy = policy;
    this.#options = options;
  }

  /** Starts sweeping every interval; the first sweep runs one interval from now. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#sweep(), this.#options.intervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    // Retention is housekeeping: it must never be what keeps the process alive.
    this.#timer.unref();
  }

  /** Stops sweeping; a sweep already running finishes on its own. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #sweep(): Promise<void> {
    // A sweep slower than the interval must not pile up concurrent sweeps on the store.
    if (this.#isSweeping) return;
    this.#isSweeping = true;
    try {
      const deletedEvents = await this.#log.sweepRetention(this.#policy);
      this.#options.onSweep?.(deletedEvents);
    } catch (error) {
      this.#options.onError?.(error);
    } finally {
      this.#isSweeping = false;
    }
  }
}
