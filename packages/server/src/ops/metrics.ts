import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PublishVia } from '../delivery/publisher.js';
import type { AppendOutcome } from '../log/event-log.js';

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
  readonly #deliveryCounter = new Counter({
    name: 'herald_deliveries_total',
    help: 'Live events delivered to subscriptions on this node, by source (announcement or log)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  /**
   * Live events handed to listening subscriptions (counted in the hub: one per event and listener),
   * by where the hub took them from: `announcement`, or `log` when it had to read them (see
   * DeliverySource). Labels are resolved once: the hub counts on every delivery.
   */
  readonly deliveries = {
    announcement: this.#deliveryCounter.labels('announcement'),
    log: this.#deliveryCounter.labels('log'),
  };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'herald_' });
    // Both series exist from the start, so a rate over `log` deliveries reads 0 rather than no data.
    for (const counter of Object.values(this.deliveries)) counter.inc(0);
  }

  /** Counts one acknowledged publish and the events it appended (the Publisher's hook). */
  recordPublish(outcome: AppendOutcome, via: PublishVia): void {
    this.publishes.inc({ via });
    this.appends.inc(outcome.appended.length);
  }
}
