import { DEFAULT_MAX_PAYLOAD_BYTES } from '@herald/protocol';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Publisher } from '../delivery/publisher.js';
import type { Broker } from '../fanout/broker.js';
import { FeedWakeups } from '../fanout/feed-wakeups.js';
import type { Hub } from '../fanout/hub.js';
import type { ReadCaching } from '../http/read-caching.js';
import type { LiveHandler, SnapshotPollCounter } from '../http/stream-routes.js';
import type { Limits } from '../limits/limits.js';
import type { EventLog } from '../log/event-log.js';
import type { DependencyFailureLog } from '../ops/dependency-failure-log.js';
import type { HeraldMetrics } from '../ops/metrics.js';
import type { ShutdownHooks } from '../ops/shutdown-hooks.js';
import { PollPresence } from '../presence/poll-presence.js';
import type { Presence } from '../presence/presence.js';
import { resolveRequestWatcherName } from '../presence/watcher-name.js';
import { FeedTransport } from './feed-transport.js';
import { LiveConnections } from './live-connections.js';
import { registerMultiStreamSse } from './multi-stream-sse.js';
import { pollClientOf } from './poll-client.js';
import { PollingTransport } from './polling-transport.js';
import { SseTransport } from './sse-transport.js';
import { registerStreamEventsRoute } from './stream-events-route.js';
import { StreamListWatch } from './stream-list-watch.js';
import { createStreamSseHandler } from './stream-sse.js';
import { resolveTransportOptions, type TransportOptions } from './transport-options.js';
import { WebSocketTransport } from './websocket-transport.js';

/** Envelope allowed around the largest event in a WebSocket `pub` frame, in bytes. */
const FRAME_ENVELOPE_BYTES = 4096;
/**
 * How many times larger than its size (measured as JSON.stringify writes it) an event may be as
 * sent: JSON escaping writes one character in up to six bytes (`\u0041` for `A`), and Python's
 * `json.dumps` escapes every non-ASCII character. An event HTTP accepts is then never cut with
 * 1009 over WebSocket; it is judged once parsed, as over HTTP (`payload_too_large`).
 */
const MAX_JSON_ESCAPE_INFLATION = 6;

/** What the transports work with, built once by `createHerald`. */
export interface TransportsDeps {
  config: { corsOrigins: readonly string[] };
  log: EventLog;
  broker: Broker;
  hub: Hub;
  publisher: Publisher;
  authenticate: Authenticator;
  limits: Limits;
  metrics: Pick<HeraldMetrics, 'connections' | 'longPollsWaiting'>;
  logger: FastifyBaseLogger;
  dependencyFailures: DependencyFailureLog;
  shutdown: ShutdownHooks;
  presence: Presence;
}

/** The live transports of a server, once registered. */
export interface LiveTransports {
  /** Hand this to `registerStreamRoutes`: `GET /v1/streams?watch=1` as SSE. */
  watchStreamList: LiveHandler;
  /** Hand this to `registerHistoryRoutes`: `GET /v1/events` followed live (SSE, long-poll). */
  feed: FeedTransport;
  /** Hand this to `registerStreamRoutes`: a snapshot poller counts in presence as an events poller does. */
  countSnapshotPoll: SnapshotPollCounter;
}

/**
 * Registers the four wires: WebSocket (`GET /v1/ws`, on the app's HTTP server `upgrade`),
 * multi-stream SSE (`GET /v1/sse`), and `GET /v1/streams/{stream}/events` as SSE, ETag polling
 * and long-poll. WebSocket and SSE connections are live connections of one registry
 * (LiveConnections); every transport joins graceful shutdown.
 */
export function registerTransports(
  app: FastifyInstance,
  deps: TransportsDeps,
  caching: ReadCaching,
  options: Partial<TransportOptions> = {},
): LiveTransports {
  const resolved = resolveTransportOptions(options);
  const { log, hub, limits } = deps;
  const live = new LiveConnections(
    {
      shutdown: deps.shutdown,
      connections: limits.connections,
      publisher: deps.publisher,
      gauge: deps.metrics.connections,
    },
    resolved,
  );
  const sse = new SseTransport(live, resolved.sseRetryMs, caching.eventStream);
  // A feed watches at most as many streams as a connection may subscribe to (FeedWatcher).
  const maxFeedStreams = limits.maxSubscriptionsPerConnection;
  const wakeups = new FeedWakeups({ hub, broker: deps.broker });
  deps.shutdown.add(() => wakeups.close());
  const websocket = new WebSocketTransport({
    ...deps,
    live,
    wakeups,
    corsOrigins: deps.config.corsOrigins,
    proxyTrust: limits.proxyTrust,
    slowConsumerCloseTimeoutMs: resolved.slowConsumerCloseTimeoutMs,
    heartbeatIntervalMs: resolved.heartbeatIntervalMs,
    maxFeedStreams,
    maxFrameBytes:
      resolved.maxFrameBytes ??
      (limits.event.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES) * MAX_JSON_ESCAPE_INFLATION + FRAME_ENVELOPE_BYTES,
  });
  websocket.attach(app.server);
  const { presence } = deps;
  // A poller lingers one heartbeat interval: its leave is then seen within two (issue 16).
  const pollPresence = new PollPresence(presence, {
    lingerMs: resolved.heartbeatIntervalMs,
    maxFeedStreams,
    maxLingeringPerSocket: limits.maxSubscriptionsPerConnection,
    maxLingeringSocketsPerIp: limits.connections.maxPerIp,
  });
  registerMultiStreamSse(app, { hub, log, presence, maxStreams: limits.maxSubscriptionsPerConnection }, sse);
  const polling = new PollingTransport({
    log,
    hub,
    live,
    maxLongPolls: limits.maxLongPolls,
    longPollsWaiting: deps.metrics.longPollsWaiting,
    shutdown: deps.shutdown,
    caching,
    presence: pollPresence,
  });
  registerStreamEventsRoute(app, createStreamSseHandler({ hub, log, presence }, sse), polling);
  const streamListWatch = new StreamListWatch(deps, sse);
  const feed = new FeedTransport({
    log,
    wakeups,
    sse,
    live,
    maxLongPolls: limits.maxLongPolls,
    longPollsWaiting: deps.metrics.longPollsWaiting,
    shutdown: deps.shutdown,
    cacheControl: caching.revalidate,
    presence,
    pollPresence,
    maxFeedStreams,
  });
  const countSnapshotPoll: SnapshotPollCounter = (request, stream) =>
    pollPresence.answered(pollClientOf(request), stream, resolveRequestWatcherName(request.principal, request.query));
  return { watchStreamList: streamListWatch.handle, feed, countSnapshotPoll };
}
