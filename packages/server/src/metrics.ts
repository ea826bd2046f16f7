import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PublishVia } from './delivery/publisher.js';
import type { AppendOutcome } from './log/event-log.js';

/** A live transport, as labelled in metrics. */
export type TransportLabel = 'websocket' | 'sse';

/**
 * Herald's Prometheus metrics, on a registry of their own (so several servers in one process, as
 * in tests, do not collide). Routes and transports increment them; `GET /metrics` renders them.
 */
export class HeraldMetrics {
  readonly registry = new Registry();
  /** Publishes acknowledged, by how they arrived (HTTP, WebSocket or in-process). */
  readonly publishes = new Counter({
    name: 'herald_publishes_total',
    help: 'Publish requests accepted',
    labelNames: ['via'] as const,
    registers: [this.registry],
  });
  /** Events appended to the log (idempotent repeats excluded). */
  readonly appends = new Counter({
    name: 'herald_events_appended_total',
    help: 'Events appended to the log',
    registers: [this.registry],
  });
  /** Long-poll requests currently waiting for an event. */
  readonly longPollsWaiting = new Gauge({
    name: 'herald_long_polls_waiting',
    help: 'Long-poll requests waiting for an event',
    registers: [this.registry],
  });
  /** HTTP request duration in seconds, by route. */
  readonly httpDuration = new Histogram({
    name: 'herald_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [this.registry],
  });
  /** Open live connections, by transport. */
  readonly connections = new Gauge({
    name: 'herald_connections',
    help: 'Open live connections',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  /** Live events handed to listening subscriptions (counted in the hub: one per event and listener). */
  readonly deliveries = new Counter({
    name: 'herald_deliveries_total',
    help: 'Live events delivered to subscriptions on this node',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
  }

  /** Counts one acknowledged publish and the events it appended (the Publisher's hook). */
  recordPublish(outcome: AppendOutcome, via: PublishVia): void {
    this.publishes.inc({ via });
    this.appends.inc(outcome.appended.length);
  }
}
