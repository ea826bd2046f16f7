import { type HeraldError, isHeraldError } from '@herald/protocol';
import type { FastifyBaseLogger } from 'fastify';

/** How often one cause of failure is logged at most, in ms: an outage logs a line per cause every 10 s. */
const DEPENDENCY_LOG_INTERVAL_MS = 10_000;

interface CauseRecord {
  loggedAtMs: number;
  suppressed: number;
}

/** The `code` (ECONNREFUSED, ERR_JWKS_TIMEOUT…) or name of what an error wraps, to tell causes apart. */
function underlyingCode(error: HeraldError): string {
  const cause = error.cause as { code?: unknown; name?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.name === 'string' ? cause.name : 'none';
}

/**
 * Logs, on the server, why a dependency (PostgreSQL, Redis, the JWKS endpoint) turned a request
 * into `503 unavailable`: the client gets no detail, the operator must. During an outage every
 * request fails the same way, so each cause (message and underlying error code) is logged at most
 * once per interval, and its next line says how many were suppressed meanwhile.
 */
export class DependencyFailureLog {
  readonly #logger: FastifyBaseLogger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #causes = new Map<string, CauseRecord>();

  constructor(logger: FastifyBaseLogger, intervalMs = DEPENDENCY_LOG_INTERVAL_MS, now: () => number = Date.now) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Logs `error` when it is a dependency failure (`unavailable`) whose cause was not logged within the interval. */
  report(error: unknown, where: string): void {
    if (!isHeraldError(error) || error.code !== 'unavailable') return;
    const cause = `${error.message} (${underlyingCode(error)})`;
    const nowMs = this.#now();
    const record = this.#causes.get(cause);
    if (record && nowMs - record.loggedAtMs < this.#intervalMs) {
      record.suppressed += 1;
      return;
    }
    const suppressed = record?.suppressed ?? 0;
    this.#causes.set(cause, { loggedAtMs: nowMs, suppressed: 0 });
    this.#logger.warn({ err: error.cause ?? error, cause, where, suppressed }, `dependency unavailable: ${cause}`);
  }
}
