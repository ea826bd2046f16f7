// The public API of @herald/server: the server factory, its configuration, the two roles a
// deployment can swap (EventLog, Broker) with their implementations, and the watcher. Everything
// else is internal; the package's own tests import it from src/.
export {
  type ConfigSources,
  defineConfig,
  type HeraldConfig,
  type HeraldConfigInput,
  type JwtConfig,
  type LimitsConfig,
  type RetentionConfig,
  resolveConfig,
} from './config/config.js';
export {
  createWorkflowSimulator,
  type WorkflowSimulator,
  type WorkflowSimulatorOptions,
} from './demo/workflow-simulator.js';
export type { Announcement, Broker, BrokerStatus } from './fanout/broker.js';
export { MemoryBroker } from './fanout/memory-broker.js';
export { createRedisBroker, RedisBroker, type RedisBrokerOptions } from './fanout/redis-broker.js';
export type { LogStream } from './http/http-options.js';
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
export { createPostgresEventLog, PostgresEventLog } from './log/postgres-event-log.js';
export { SqliteEventLog } from './log/sqlite-event-log.js';
export { createHerald, type Herald, type HeraldOptions } from './server.js';
export type { TransportOptions } from './transports/transport-options.js';
export {
  DEFAULT_WATCH_INTERVAL_MS,
  type StateWatcher,
  type StateWatchTarget,
  type WatchOptions,
  watchState,
} from './watchers/state-watcher.js';
