export { type Authenticator, createAuthenticator, type HeraldClaim } from './auth/authenticator.js';
export { authorize } from './auth/authorize.js';
export { type Action, API_KEY_PRINCIPAL, anonymousPrincipal, type Principal } from './auth/principal.js';
export { readRequestToken, redactTokenInUrl, type TokenSource } from './auth/request-token.js';
export { patternCovers, patternsCover } from './auth/stream-pattern.js';
export {
  type ConfigSources,
  defineConfig,
  envName,
  type HeraldConfig,
  type HeraldConfigInput,
  type JwtConfig,
  type LimitsConfig,
  type RetentionConfig,
  resolveConfig,
} from './config.js';
export { waitForEvents } from './delivery/long-poll.js';
export { Publisher } from './delivery/publisher.js';
export { type ResumeDecision, resolveResume } from './delivery/resolve-resume.js';
export { Subscription, type SubscriptionSink, startSubscription } from './delivery/subscription.js';
export { createWorkflowSimulator, type WorkflowSimulator } from './demo/workflow-simulator.js';
export type { Announcement, Broker, BrokerStatus } from './fanout/broker.js';
export { createBroker } from './fanout/create-broker.js';
export { DeliveredEvent } from './fanout/delivered-event.js';
export { Hub } from './fanout/hub.js';
export { MemoryBroker } from './fanout/memory-broker.js';
export { createRedisBroker, RedisBroker } from './fanout/redis-broker.js';
export type { HeraldContext } from './herald-context.js';
export { ConnectionLimiter } from './limits/connection-limiter.js';
export { createLimits, type Limits } from './limits/limits.js';
export { RateLimiter } from './limits/rate-limiter.js';
export { createEventLog } from './log/create-event-log.js';
export type {
  AppendOutcome,
  EventLog,
  EventRecord,
  EventsRead,
  HistoryQuery,
  RetentionPolicy,
  StreamListQuery,
} from './log/event-log.js';
export { MemoryEventLog } from './log/memory-event-log.js';
export { SqliteEventLog } from './log/sqlite-event-log.js';
export { HeraldMetrics, type TransportLabel } from './metrics.js';
export { createHerald, type Herald, type HeraldOptions } from './server.js';
export { type ShutdownHook, ShutdownHooks } from './shutdown-hooks.js';
export {
  createPublisherWatchTarget,
  type StateWatcher,
  type StateWatchTarget,
  type WatchOptions,
  watchState,
} from './watchers/state-watcher.js';
