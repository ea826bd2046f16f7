import { HEARTBEAT_INTERVAL_MS } from '@herald/protocol';

/** Tuning of the live transports (WebSocket and SSE); every field has a default. */
export interface TransportOptions {
  /** Idle time after which a connection gets a heartbeat, in ms (default 15 000). */
  heartbeatIntervalMs: number;
  /**
   * Bytes a connection may have queued for its client before it is cut as a slow consumer
   * (WebSocket 4008, SSE response ended), in bytes (default 1 MiB). The client resumes from its
   * position, so nothing is lost; the bound keeps a stalled reader from growing server memory.
   */
  maxBufferedBytes: number;
  /** How long a slow consumer's close may take before its socket is destroyed, in ms (default 5 000). */
  slowConsumerCloseTimeoutMs: number;
  /** The SSE `retry:` reconnection delay sent to EventSource, in ms (default 1 000). */
  sseRetryMs: number;
  /** Largest WebSocket frame accepted, in bytes; larger frames close the connection with 1009 (default: payload limit + 4 KiB). */
  maxFrameBytes?: number;
}

/** The defaults of TransportOptions (DESIGN "Server-Sent Events", "WebSocket protocol"). */
export const DEFAULT_TRANSPORT_OPTIONS: TransportOptions = {
  heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
  maxBufferedBytes: 1024 * 1024,
  slowConsumerCloseTimeoutMs: 5000,
  sseRetryMs: 1000,
};

/** The options with every default filled in. */
export function resolveTransportOptions(options: Partial<TransportOptions> = {}): TransportOptions {
  return { ...DEFAULT_TRANSPORT_OPTIONS, ...options };
}
