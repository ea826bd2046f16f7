import type { Server } from 'node:http';
import cors from '@fastify/cors';
import { assertStreamName, HeraldError, type JsonValue } from '@herald/protocol';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { createAuthenticator } from './auth/authenticator.js';
import { defineConfig, type HeraldConfig, type HeraldConfigInput, resolveStoreOption } from './config/config.js';
import { configError } from './config/config-error.js';
import { startupWarnings } from './config/startup-warnings.js';
import { Publisher } from './delivery/publisher.js';
import type { Broker } from './fanout/broker.js';
import { createBroker } from './fanout/create-broker.js';
import { Hub } from './fanout/hub.js';
import type { HeraldContext } from './herald-context.js';
import { registerAdminRoutes } from './http/admin-routes.js';
import { registerDashboard } from './http/dashboard.js';
import {
  clientErrorHandler,
  MAX_PATH_PARAM_LENGTH,
  registerErrorHandling,
  sendFrameworkError,
} from './http/error-handler.js';
import { registerHistoryRoutes } from './http/history-routes.js';
import {
  acceptJsonBodiesOnly,
  corsOptions,
  type LogStream,
  loggerOptions,
  refuseMalformedQueryStrings,
  refuseNonPreflightOptions,
  registerRequestMetrics,
  requestLogController,
} from './http/http-options.js';
import { InFlightResponses } from './http/in-flight-responses.js';
import { registerOpenApiDocument, registerOpenApiRoute } from './http/openapi.js';
import { registerOpsRoutes } from './http/ops-routes.js';
import { registerPresenceRoutes } from './http/presence-routes.js';
import { registerPublishRoutes } from './http/publish-routes.js';
import { createReadCaching } from './http/read-caching.js';
import { registerRequestPrincipal } from './http/request-principal.js';
import { createSchemaValidatorCompiler } from './http/schema-validation.js';
import { registerShutdownDrain } from './http/shutdown-drain.js';
import { registerStreamRoutes } from './http/stream-routes.js';
import { registerIngest } from './ingest/register-ingest.js';
import { createLimits } from './limits/limits.js';
import { createEventLog } from './log/create-event-log.js';
import type { EventLog } from './log/event-log.js';
import { RetentionSweeper } from './log/retention-sweeper.js';
import { DependencyFailureLog } from './ops/dependency-failure-log.js';
import { HeraldMetrics } from './ops/metrics.js';
import { ShutdownHooks } from './ops/shutdown-hooks.js';
import { createPresenceAudience } from './presence/audience.js';
import { createPresenceBoard } from './presence/create-presence-board.js';
import { Presence } from './presence/presence.js';
import { registerTransports } from './transports/register-transports.js';
import type { TransportOptions } from './transports/transport-options.js';
import {
  createPublisherWatchTarget,
  type StateWatcher,
  type WatchOptions,
  watchState,
} from './watchers/state-watcher.js';

/** Options of `createHerald` beyond the configuration. */
export interface HeraldOptions {
  /**
   * An existing HTTP server to attach to (library shape): Herald handles its requests and
   * upgrades, and the host application calls `listen` on it. Without it, `herald.listen()` binds
   * `config.host:config.port`.
   */
  server?: Server;
  /** Tuning of the live transports (heartbeats, buffer bounds); defaults per DESIGN. */
  transports?: Partial<TransportOptions>;
  /** An EventLog to use instead of opening `config.store` (an implementation of your own, or a test's). */
  log?: EventLog;
  /** A Broker to use instead of opening `config.broker`. */
  broker?: Broker;
  /** Where the pino log lines go instead of stdout (an embedding app's stream, or a test's capture). */
  logStream?: LogStream;
}

/** A running Herald: its Fastify app, the in-process publisher and its lifecycle. */
export interface Herald {
  readonly config: HeraldConfig;
  readonly app: FastifyInstance;
  /** The modules routes and transports share; `context.publisher.publish([...])` publishes in-process. */
  readonly context: HeraldContext;
  /** Binds `host:port` (unless attached to a server) and resolves the base URL, e.g. `http://127.0.0.1:8700`. */
  listen(): Promise<string>;
  /**
   * Polls `fetchState` while `stream` has watchers (presence, on any node) and publishes a state
   * patch to it in-process only when the state changed (DESIGN "Watchers", seed 003); stopped by
   * `herald.close()` at the latest.
   */
  watch(stream: string, fetchState: () => Promise<JsonValue>, options?: WatchOptions): StateWatcher;
  /**
   * Graceful shutdown: answers every later request `503 shutting_down` and stops accepting
   * (http/shutdown-drain.ts), lets transports close their connections (WebSocket 1012, SSE ended,
   * long-polls answered), drains in-flight publishes, then closes the log and broker.
   */
  close(): Promise<void>;
}

/** How long a client may take to send one whole request (headers and body), in ms. */
const REQUEST_TIMEOUT_MS = 120_000;

/** Creates a Herald server from a (partial) configuration; reads like the server's table of contents. */
export async function createHerald(input: HeraldConfigInput = {}, options: HeraldOptions = {}): Promise<Herald> {
  const config = defineConfig(input);
  const limits = createLimits(config.limits, config.trustProxy);
  const { server } = options;
  const serverFactory: FastifyServerFactory | undefined = server && ((handler) => server.on('request', handler));
  const inFlight = new InFlightResponses();
  const app = Fastify({
    logger: loggerOptions(config, options.logStream),
    logController: requestLogController(config),
    bodyLimit: config.limits.maxBodyBytes,
    // Fastify's default (0) lets a client that never finishes its request body hold the connection
    // for ever; two minutes carry a full 16 MiB body at about 1 Mbit/s. Responses (SSE, long-polls) are not limited.
    requestTimeout: REQUEST_TIMEOUT_MS,
    trustProxy: limits.proxyTrust,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: sendFrameworkError,
    clientErrorHandler: clientErrorHandler(inFlight),
    // Bodies are parsed by plain JSON.parse, as WebSocket frames are, and then validated by
    // @herald/protocol, which refuses `__proto__` members with `invalid_request` on every
    // transport alike (storable-json.ts); Fastify's own check would answer HTTP differently.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Herald answers requests during shutdown itself, in its envelope (http/shutdown-drain.ts).
    return503OnClosing: false,
    ...(serverFactory ? { serverFactory } : {}),
  });
  inFlight.track(app.server);
  // Connection errors of the store, Redis and the presence board repeat many times a second during
  // an outage: each cause is logged once per interval, with the count of those held back.
  const dependencyFailures = new DependencyFailureLog(app.log);
  const reportConnectionError = (what: string) => (error: Error) =>
    dependencyFailures.report(new HeraldError('unavailable', `${what} connection error`, { cause: error }), what);
  for (const warning of startupWarnings(config)) app.log.warn(warning);
  const log =
    options.log ??
    (await createEventLog(config.store, {
      maxStateBytes: config.limits.maxStateBytes,
      storeOption: resolveStoreOption(config),
      onError: reportConnectionError('store'),
    }));
  // Redis channels and keys are the deployment's own (review finding: two deployments sharing one
  // Redis delivered each other's events): the store names the deployment, whatever the Redis URL.
  const redisNamespace = `herald:${await log.deploymentId()}`;
  const broker =
    options.broker ??
    (await createBroker(config.broker, {
      channel: `${redisNamespace}:announcements`,
      onError: reportConnectionError('broker'),
      // Redis down at start is an outage like any other: serve degraded, polling the store.
      onStartDegraded: (error) => app.log.error({ err: error }, 'Redis unreachable: starting degraded'),
    }));
  const transportOptions = { heartbeatIntervalMs: config.heartbeatIntervalMs, ...options.transports };
  const { heartbeatIntervalMs } = transportOptions;
  // Entries live one heartbeat interval and are renewed every half: a killed node's watchers are
  // gone within 1.5 intervals, inside the 2 the issue allows.
  const presenceBoard = createPresenceBoard(config.broker, {
    prefix: `${redisNamespace}:presence`,
    ttlMs: heartbeatIntervalMs,
    onError: reportConnectionError('presence board'),
  });
  const presence = new Presence({
    board: presenceBoard,
    refreshIntervalMs: heartbeatIntervalMs / 2,
    reportError: (error) => app.log.warn({ err: error }, 'presence board read or write failed'),
  });
  const metrics = new HeraldMetrics();
  const hub = new Hub({
    log,
    broker,
    reportError: (error) => app.log.error({ err: error }, 'fan-out error'),
    countDeliveries: (listenerCount, source) => metrics.deliveries[source].inc(listenerCount),
  });
  const publisher = new Publisher({
    log,
    broker,
    eventLimits: limits.event,
    reportAnnounceFailure: (error) => app.log.warn({ err: error }, 'announce failed; hubs fill the gap from the log'),
    recordPublish: (outcome, via) => metrics.recordPublish(outcome, via),
  });
  const sweeper = new RetentionSweeper(
    log,
    // Passed as configured: 0 in either limit means keep, and the stores read it so
    // (resolveRetentionCutoff, resolveMaxEventsPerStream), whichever way the config was given.
    config.retention,
    {
      intervalMs: config.retention.sweepIntervalMs,
      onError: (error) => app.log.error({ err: error }, 'retention sweep failed'),
    },
  );
  const context: HeraldContext = {
    config,
    log,
    broker,
    hub,
    publisher,
    authenticate: createAuthenticator({ ...(config.apiKey ? { apiKey: config.apiKey } : {}), jwt: config.jwt }),
    limits,
    metrics,
    logger: app.log,
    dependencyFailures,
    shutdown: new ShutdownHooks(),
    presence,
  };

  registerErrorHandling(app, context.dependencyFailures);
  acceptJsonBodiesOnly(app);
  refuseNonPreflightOptions(app);
  await app.register(cors, corsOptions(config));
  // After CORS, so a browser can read the refusal; before everything else, so no work starts.
  registerShutdownDrain(app, context.shutdown, !server);
  // After CORS, so a browser can read the refusal.
  refuseMalformedQueryStrings(app);
  registerRequestPrincipal(app, context.authenticate);
  registerRequestMetrics(app, context.metrics);
  // Before the routes: every route's schema validates its request and goes into the document.
  app.setValidatorCompiler(createSchemaValidatorCompiler());
  await registerOpenApiDocument(app);
  registerPublishRoutes(app, context);
  const caching = createReadCaching(config);
  const transports = registerTransports(app, context, caching, transportOptions);
  registerStreamRoutes(app, {
    log,
    caching,
    watchStreamList: transports.watchStreamList,
    countSnapshotPoll: transports.countSnapshotPoll,
  });
  registerHistoryRoutes(app, context, transports.feed);
  registerAdminRoutes(app, context);
  registerPresenceRoutes(app, context);
  registerOpsRoutes(app, context);
  registerOpenApiRoute(app);
  await registerIngest(app, context);
  await registerDashboard(app);
  sweeper.start();

  return {
    config,
    app,
    context,
    async listen() {
      if (server) {
        await app.ready();
        return '';
      }
      try {
        return await app.listen({ host: config.host, port: config.port });
      } catch (error) {
        // A host name that does not resolve is a configuration mistake: say which option.
        const isUnresolvable = ['ENOTFOUND', 'EAI_AGAIN'].includes((error as NodeJS.ErrnoException).code ?? '');
        if (isUnresolvable) configError('host', `"${config.host}" does not resolve to an address to bind`);
        throw error;
      }
    },
    watch(stream, fetchState, watchOptions = {}) {
      assertStreamName(stream);
      const target = { ...createPublisherWatchTarget(context), watchAudience: createPresenceAudience(presence) };
      const watcher = watchState(target, stream, fetchState, {
        onError: (error) => app.log.warn({ err: error, stream }, 'state watcher poll failed'),
        ...watchOptions,
      });
      // Shutdown waits for a poll in progress, so its publish lands before the log closes.
      const forget = context.shutdown.add(() => watcher.stop());
      void watcher.stopped.then(forget);
      return watcher;
    },
    async close() {
      const closing = app.close();
      await context.shutdown.run();
      await closing;
      sweeper.stop();
      await publisher.drain();
      await presence.close();
      await presenceBoard.close();
      hub.close();
      await broker.close();
      await log.close();
    },
  };
}
