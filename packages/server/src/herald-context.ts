import type { FastifyBaseLogger } from 'fastify';
import type { Authenticator } from './auth/authenticator.js';
import type { HeraldConfig } from './config/config.js';
import type { Publisher } from './delivery/publisher.js';
import type { Broker } from './fanout/broker.js';
import type { Hub } from './fanout/hub.js';
import type { Limits } from './limits/limits.js';
import type { EventLog } from './log/event-log.js';
import type { DependencyFailureLog } from './ops/dependency-failure-log.js';
import type { HeraldMetrics } from './ops/metrics.js';
import type { ShutdownHooks } from './ops/shutdown-hooks.js';
import type { Presence } from './presence/presence.js';

/** Everything routes and transports work with, built once by `createHerald`. */
export interface HeraldContext {
  readonly config: HeraldConfig;
  readonly log: EventLog;
  readonly broker: Broker;
  readonly hub: Hub;
  readonly publisher: Publisher;
  /** Resolves a token to a principal; pass the result to `authorize`. */
  readonly authenticate: Authenticator;
  readonly limits: Limits;
  readonly metrics: HeraldMetrics;
  readonly logger: FastifyBaseLogger;
  /** Logs why a dependency failed a request (503 unavailable), rate-limited per cause. */
  readonly dependencyFailures: DependencyFailureLog;
  /** Transports register their connection closers here for graceful shutdown. */
  readonly shutdown: ShutdownHooks;
  /** Who watches each stream, across nodes (docs/protocol.md "Presence"). */
  readonly presence: Presence;
}
