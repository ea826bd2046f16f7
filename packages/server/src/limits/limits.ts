import type { EventLimits } from '@herald/protocol';
import type { LimitsConfig, TrustProxy } from '../config/config.js';
import { createProxyTrust, type ProxyTrust } from './client-ip.js';
import { ConnectionLimiter } from './connection-limiter.js';
import { PublishRate } from './publish-rate.js';

/** The server's limits, shared by HTTP routes and the transports. */
export interface Limits {
  /** Limits passed to the protocol's event parsers (payload size, batch size). */
  readonly event: EventLimits;
  /** Publish rate per principal, in events (HTTP and WebSocket publishes). */
  readonly publishRate: PublishRate;
  /** Long-lived connections per client IP (WebSocket, SSE and held long-polls). */
  readonly connections: ConnectionLimiter;
  /** Long-polls the whole server may hold at once. */
  readonly maxLongPolls: number;
  /** Which proxies' `X-Forwarded-For` entries name the client (HTTP and WebSocket alike). */
  readonly proxyTrust: ProxyTrust;
  /** Streams one WebSocket connection may subscribe to. */
  readonly maxSubscriptionsPerConnection: number;
}

/** Builds the limits of a server from its configuration. */
export function createLimits(config: LimitsConfig, trustProxy: TrustProxy): Limits {
  return {
    event: { maxPayloadBytes: config.maxPayloadBytes, maxBatchEvents: config.maxBatchEvents },
    publishRate: new PublishRate(config),
    connections: new ConnectionLimiter(config.maxConnectionsPerIp),
    maxLongPolls: config.maxLongPolls,
    proxyTrust: createProxyTrust(trustProxy),
    maxSubscriptionsPerConnection: config.maxSubscriptionsPerConnection,
  };
}
