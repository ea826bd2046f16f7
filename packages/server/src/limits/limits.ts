import type { EventLimits } from '@herald/protocol';
import type { LimitsConfig } from '../config.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { RateLimiter } from './rate-limiter.js';

/** The server's limits, shared by HTTP routes and the transports. */
export interface Limits {
  /** Limits passed to the protocol's event parsers (payload size, batch size). */
  readonly event: EventLimits;
  /** Publish rate per client IP (HTTP and WebSocket publishes). */
  readonly publishRate: RateLimiter;
  /** Long-lived connections per client IP (WebSocket and SSE). */
  readonly connections: ConnectionLimiter;
  /** Streams one WebSocket connection may subscribe to. */
  readonly maxSubscriptionsPerConnection: number;
}

/** Builds the limits of a server from its configuration. */
export function createLimits(config: LimitsConfig): Limits {
  return {
    event: { maxPayloadBytes: config.maxPayloadBytes, maxBatchEvents: config.maxBatchEvents },
    publishRate: new RateLimiter({ ratePerSecond: config.publishRatePerSecond, burst: config.publishBurst }),
    connections: new ConnectionLimiter(config.maxConnectionsPerIp),
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
  };
}
