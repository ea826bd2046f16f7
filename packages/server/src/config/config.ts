import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MAX_BATCH_EVENTS,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_MAX_STATE_BYTES,
  HEARTBEAT_INTERVAL_MS,
  HeraldError,
} from '@herald/protocol';
import { pino } from 'pino';
import {
  checkApiKey,
  checkCorsOrigins,
  checkJwtSecret,
  checkTrustProxy,
  parseCorsOrigins,
  parseTrustProxy,
} from './access-options.js';
import { checkInteger, configError, envName, parseInteger } from './config-error.js';

/** Request and connection limits (DESIGN "Limits"). */
export interface LimitsConfig {
  /** Largest serialised event, in bytes (default 64 KiB). */
  maxPayloadBytes: number;
  /** Most events in one atomic batch (default 1000). */
  maxBatchEvents: number;
  /** Largest stream state document, as JSON in UTF-8 bytes (default 1 MiB); over it: `state_too_large`. */
  maxStateBytes: number;
  /** Largest HTTP request body, in bytes (default: a full batch of the largest events, capped at 16 MiB). */
  maxBodyBytes: number;
  /** Sustained events published per second per publisher: JWT subject, else client IP (default 100; 0 = unlimited). */
  publishRatePerSecond: number;
  /** Events a publisher may burst above the sustained rate (default 200). */
  publishBurst: number;
  /** Sustained events per second published with the API key (default 0 = unlimited: the backend's own key). */
  apiKeyPublishRatePerSecond: number;
  /** Concurrent WebSocket/SSE connections and held long-polls per client IP (default 100). */
  maxConnectionsPerIp: number;
  /** Long-polls held at once by the whole server (default 10000); more are refused `too_many_connections`. */
  maxLongPolls: number;
  /** Streams one WebSocket connection may subscribe to (default 1000). */
  maxSubscriptionsPerConnection: number;
}

/** Retention policy applied by the background sweeper (DESIGN "Retention"). */
export interface RetentionConfig {
  /** Events older than this are deleted, in ms (default 30 days; 0 = keep forever). */
  maxAgeMs: number;
  /** Only the newest N events of each stream are kept (default: unbounded; 0 = unbounded). */
  maxEventsPerStream?: number;
  /** How often the sweeper runs, in ms (default 1 minute). */
  sweepIntervalMs: number;
}

/** JWT verification for subscribers (DESIGN "Auth"). */
export interface JwtConfig {
  /** Shared secret for HS256 tokens. */
  secret?: string;
  /** JWKS endpoint for RS256/ES256 tokens. */
  jwksUrl?: string;
  /** Required `iss` claim, when set. */
  issuer?: string;
  /** Required `aud` claim, when set. */
  audience?: string;
}

/** Everything a Herald server is configured with (DESIGN "Configuration"). */
export interface HeraldConfig {
  /** Address to bind (default 127.0.0.1). */
  host: string;
  /** Port to bind (default 8700; 0 = any free port). */
  port: number;
  /** Where the embedded SQLite log lives (default ./data). */
  dataDir: string;
  /** Event log URL: `sqlite:PATH`, `memory:` or `postgres://…` (default `sqlite:<dataDir>/herald.db`). */
  store: string;
  /** Broker: `local` or `redis://…` (default local). */
  broker: string;
  /** When set, publishing and admin routes require it. */
  apiKey?: string;
  /** Runs the demo workflow simulator (default off; `npm start` turns it on). */
  demo: boolean;
  /** Browser origins allowed for CORS and WebSocket `Origin` (default: any; `*` = any). */
  corsOrigins: string[];
  /** pino log level (default info). */
  logLevel: string;
  /**
   * Which reverse proxies' `X-Forwarded-For` entries to trust, so per-IP limits count clients, not
   * the proxy (default: none, since a client could otherwise claim any address). See `TrustProxy`.
   */
  trustProxy: TrustProxy;
  limits: LimitsConfig;
  retention: RetentionConfig;
  jwt: JwtConfig;
  /** Shared secret of GitHub webhooks; enables `POST /v1/ingest/github` (default: route absent). */
  githubWebhookSecret?: string;
  /** Path of the generic webhook mapping file (JSON); enables `POST /v1/ingest/<source>`. */
  ingestConfig?: string;
  /**
   * Idle time after which a live connection gets a heartbeat, in ms (default 15 000). Presence
   * follows it: a watcher that leaves, even with its node killed, is seen within twice this time.
   */
  heartbeatIntervalMs: number;
}

/**
 * Trusted proxies: `false` trusts none; a number N trusts the N nearest hops (the client address is
 * the Nth entry of `X-Forwarded-For` from the right, the one the outermost trusted proxy saw; `true`
 * means 1, the one proxy in front); a list trusts those addresses and CIDR ranges (or
 * `loopback`, `linklocal`, `uniquelocal`). Only entries added by trusted proxies count, so a
 * forged leftmost entry never does.
 */
export type TrustProxy = boolean | number | string[];

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_BODY_BYTES_CAP = 16 * 1024 * 1024;
/** Node fires a timer set above 2^31−1 ms after ~1 ms instead (TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Keeps `now − maxAge` a valid Date (±8.64e15 ms) with room to spare; nobody needs a longer retention. */
const MAX_RETENTION_AGE_MS = Math.round(100 * 365.25 * DAY_MS);
/** Below this a heartbeat (and the presence refresh that follows it) would flood the wire and Redis. */
const MIN_HEARTBEAT_INTERVAL_MS = 100;
/** A shorter sweep interval would keep the store busy sweeping; tests that watch sweeps use tens of ms. */
const MIN_SWEEP_INTERVAL_MS = 10;

/** An integer option's range, and where a resolved configuration holds its value. */
interface IntegerOption {
  min: number;
  max?: number;
  of(config: HeraldConfig): number | undefined;
}

/**
 * Every integer option, with its range: one table for flags, env vars and `createHerald` options,
 * so an embedding app's value is held to the same bounds as an operator's.
 */
const INTEGER_OPTIONS = {
  port: { min: 0, max: 65535, of: (config) => config.port },
  'max-payload-bytes': { min: 1, of: (config) => config.limits.maxPayloadBytes },
  'max-batch-events': { min: 1, of: (config) => config.limits.maxBatchEvents },
  'max-state-bytes': { min: 1, of: (config) => config.limits.maxStateBytes },
  'max-body-bytes': { min: 1, of: (config) => config.limits.maxBodyBytes },
  'publish-rate-per-second': { min: 0, of: (config) => config.limits.publishRatePerSecond },
  'publish-burst': { min: 1, of: (config) => config.limits.publishBurst },
  'api-key-publish-rate-per-second': { min: 0, of: (config) => config.limits.apiKeyPublishRatePerSecond },
  'max-connections-per-ip': { min: 1, of: (config) => config.limits.maxConnectionsPerIp },
  'max-long-polls': { min: 1, of: (config) => config.limits.maxLongPolls },
  'max-subscriptions-per-connection': { min: 1, of: (config) => config.limits.maxSubscriptionsPerConnection },
  'retention-max-age-ms': { min: 0, max: MAX_RETENTION_AGE_MS, of: (config) => config.retention.maxAgeMs },
  'retention-max-events-per-stream': { min: 0, of: (config) => config.retention.maxEventsPerStream },
  'retention-sweep-interval-ms': {
    min: MIN_SWEEP_INTERVAL_MS,
    max: MAX_TIMER_MS,
    of: (config) => config.retention.sweepIntervalMs,
  },
  'heartbeat-interval-ms': {
    min: MIN_HEARTBEAT_INTERVAL_MS,
    max: MAX_TIMER_MS,
    of: (config) => config.heartbeatIntervalMs,
  },
} satisfies Record<string, IntegerOption>;

type IntegerOptionName = keyof typeof INTEGER_OPTIONS;

/** Where an option is read from: its flag name (also its env var: HERALD_ + upper snake case). */
const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  store: { type: 'string' },
  broker: { type: 'string' },
  'api-key': { type: 'string' },
  demo: { type: 'boolean' },
  'no-demo': { type: 'boolean' },
  'cors-origins': { type: 'string' },
  'log-level': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'max-payload-bytes': { type: 'string' },
  'max-batch-events': { type: 'string' },
  'max-state-bytes': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'publish-rate-per-second': { type: 'string' },
  'publish-burst': { type: 'string' },
  'api-key-publish-rate-per-second': { type: 'string' },
  'max-long-polls': { type: 'string' },
  'max-connections-per-ip': { type: 'string' },
  'max-subscriptions-per-connection': { type: 'string' },
  'retention-max-age-ms': { type: 'string' },
  'retention-max-events-per-stream': { type: 'string' },
  'retention-sweep-interval-ms': { type: 'string' },
  'jwt-secret': { type: 'string' },
  'jwks-url': { type: 'string' },
  'jwt-issuer': { type: 'string' },
  'jwt-audience': { type: 'string' },
  'github-webhook-secret': { type: 'string' },
  'ingest-config': { type: 'string' },
  'heartbeat-interval-ms': { type: 'string' },
} as const;

type OptionName = Exclude<keyof typeof OPTIONS, 'no-demo'>;

function parseBoolean(option: string, raw: string): boolean {
  const normalised = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(normalised)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(normalised)) return false;
  return configError(option, `must be true or false, got "${raw}"`);
}

function checkStore(store: string): string {
  const isKnown =
    store === 'memory:' ||
    store.startsWith('sqlite:') ||
    store.startsWith('postgres://') ||
    store.startsWith('postgresql://');
  if (!isKnown) configError('store', `must be sqlite:PATH, memory: or postgres://…, got "${store}"`);
  return store;
}

function checkBroker(broker: string): string {
  const isKnown = broker === 'local' || broker.startsWith('redis://') || broker.startsWith('rediss://');
  if (!isKnown) configError('broker', `must be local or redis://…, got "${broker}"`);
  return broker;
}

/** RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens. */
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function checkHost(host: string): string {
  // All-numeric dotted names are malformed IPv4 addresses (999.1.1.1), not host names.
  const isHostname = HOSTNAME.test(host) && !/^[\d.]+$/.test(host);
  if (isIP(host) === 0 && !isHostname) configError('host', `must be an IP address or a host name, got "${host}"`);
  return host;
}

function checkLogLevel(level: string): string {
  const levels = [...Object.keys(pino.levels.values), 'silent'];
  if (!levels.includes(level)) configError('log-level', `must be one of ${levels.join(', ')}, got "${level}"`);
  return level;
}

function checkUrl(option: string, raw: string): string {
  try {
    new URL(raw);
  } catch {
    configError(option, `must be a URL, got "${raw}"`);
  }
  return raw;
}

/** Input of `resolveConfig`: command-line arguments (after the command name) and the environment. */
export interface ConfigSources {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  /** Demo default when neither `--demo`, `--no-demo` nor HERALD_DEMO says otherwise (default false). */
  demoByDefault?: boolean;
}

/**
 * Resolves the configuration from flags, then env vars, then defaults (a flag wins over its env
 * var). Throws a HeraldError naming the option on any invalid value, so a typo stops the server
 * at startup instead of running with a surprising setting.
 */
export function resolveConfig(sources: ConfigSources = {}): HeraldConfig {
  const env = sources.env ?? {};
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...(sources.argv ?? [])], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw new HeraldError('invalid_config', `invalid configuration: ${(error as Error).message}`, { cause: error });
  }
  const flags = parsed.values;
  // An empty env var means unset (`HERALD_API_KEY=` in a compose file), but an empty flag is a
  // mistake: `--api-key ''` must not quietly run without a key.
  const read = (option: OptionName): string | undefined => {
    const flag = flags[option];
    if (flag === '') configError(option, 'must not be empty (leave the flag out for the default)');
    if (typeof flag === 'string') return flag;
    const fromEnv = env[envName(option)];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };
  const integer = (option: IntegerOptionName, fallback: number): number => {
    const raw = read(option);
    const { min, max } = INTEGER_OPTIONS[option] as IntegerOption;
    return raw === undefined ? fallback : parseInteger(option, raw, min, max);
  };

  const dataDir = read('data-dir') ?? './data';
  const maxPayloadBytes = integer('max-payload-bytes', DEFAULT_MAX_PAYLOAD_BYTES);
  const maxBatchEvents = integer('max-batch-events', DEFAULT_MAX_BATCH_EVENTS);
  // A body must fit a full batch of maximal events plus the JSON around them.
  const defaultBodyBytes = Math.min(MAX_BODY_BYTES_CAP, maxPayloadBytes * maxBatchEvents + 1024);
  const jwtSecret = read('jwt-secret');
  const jwksUrl = read('jwks-url');
  const jwtIssuer = read('jwt-issuer');
  const jwtAudience = read('jwt-audience');
  const apiKey = read('api-key');
  const githubWebhookSecret = read('github-webhook-secret');
  const ingestConfig = read('ingest-config');

  let demo = sources.demoByDefault ?? false;
  const demoEnv = env[envName('demo')];
  if (demoEnv !== undefined) demo = parseBoolean('demo', demoEnv);
  if (flags.demo) demo = true;
  if (flags['no-demo']) demo = false;

  return {
    host: checkHost(read('host') ?? '127.0.0.1'),
    port: integer('port', 8700),
    dataDir,
    store: checkStore(read('store') ?? dataDirStore(dataDir)),
    broker: checkBroker(read('broker') ?? 'local'),
    ...(apiKey === undefined ? {} : { apiKey: checkApiKey(apiKey) }),
    demo,
    corsOrigins: parseCorsOrigins(read('cors-origins') ?? '*'),
    logLevel: checkLogLevel(read('log-level') ?? 'info'),
    trustProxy: parseTrustProxy(read('trust-proxy') ?? 'false'),
    limits: {
      maxPayloadBytes,
      maxBatchEvents,
      maxStateBytes: integer('max-state-bytes', DEFAULT_MAX_STATE_BYTES),
      maxBodyBytes: integer('max-body-bytes', defaultBodyBytes),
      publishRatePerSecond: integer('publish-rate-per-second', 100),
      publishBurst: integer('publish-burst', 200),
      apiKeyPublishRatePerSecond: integer('api-key-publish-rate-per-second', 0),
      maxConnectionsPerIp: integer('max-connections-per-ip', 100),
      maxLongPolls: integer('max-long-polls', 10_000),
      maxSubscriptionsPerConnection: integer('max-subscriptions-per-connection', 1000),
    },
    retention: {
      maxAgeMs: integer('retention-max-age-ms', 30 * DAY_MS),
      ...(read('retention-max-events-per-stream') === undefined
        ? {}
        : { maxEventsPerStream: integer('retention-max-events-per-stream', 0) }),
      sweepIntervalMs: integer('retention-sweep-interval-ms', 60_000),
    },
    jwt: checkJwtClaimsHaveKey({
      ...(jwtSecret === undefined ? {} : { secret: checkJwtSecret(jwtSecret) }),
      ...(jwksUrl === undefined ? {} : { jwksUrl: checkUrl('jwks-url', jwksUrl) }),
      ...(jwtIssuer === undefined ? {} : { issuer: jwtIssuer }),
      ...(jwtAudience === undefined ? {} : { audience: jwtAudience }),
    }),
    ...(githubWebhookSecret === undefined ? {} : { githubWebhookSecret }),
    ...(ingestConfig === undefined ? {} : { ingestConfig }),
    heartbeatIntervalMs: integer('heartbeat-interval-ms', HEARTBEAT_INTERVAL_MS),
  };
}

/** The store a data directory stands for when no store is given: the SQLite log inside it. */
function dataDirStore(dataDir: string): string {
  return `sqlite:${path.join(dataDir, 'herald.db')}`;
}

/**
 * The option a store problem is the user's to fix under: `data-dir` when the store is the one the
 * data directory stands for (no `--store` given, or one naming that same place), else `store`. A
 * message naming `--store` to someone who only set `--data-dir` sends them to the wrong option.
 */
export function resolveStoreOption(config: Pick<HeraldConfig, 'store' | 'dataDir'>): 'store' | 'data-dir' {
  return config.store === dataDirStore(config.dataDir) ? 'data-dir' : 'store';
}

/**
 * The configuration with every default, overridden by `overrides` (for embedding and tests). The
 * result is held to the checks a flag or env var gets, so `createHerald({ port: 70000 })` stops
 * with the same `invalid_config` error, naming the option, as `--port 70000` does.
 */
export function defineConfig(overrides: HeraldConfigInput = {}): HeraldConfig {
  const base = resolveConfig();
  return checkConfig({
    ...base,
    ...overrides,
    store: overrides.store ?? (overrides.dataDir ? dataDirStore(overrides.dataDir) : base.store),
    limits: { ...base.limits, ...overrides.limits },
    retention: { ...base.retention, ...overrides.retention },
    jwt: { ...base.jwt, ...overrides.jwt },
  });
}

/** Checks a configuration assembled in code, value by value, as `resolveConfig` checks text. */
function checkConfig(config: HeraldConfig): HeraldConfig {
  for (const [option, { min, max, of }] of Object.entries(INTEGER_OPTIONS) as [string, IntegerOption][]) {
    const value = of(config);
    if (value !== undefined) checkInteger(option, value, min, max);
  }
  checkHost(config.host);
  checkStore(config.store);
  checkBroker(config.broker);
  checkLogLevel(config.logLevel);
  checkTrustProxy(config.trustProxy);
  if (config.apiKey !== undefined) checkApiKey(config.apiKey);
  checkCorsOrigins(config.corsOrigins);
  if (config.jwt.secret !== undefined) checkJwtSecret(config.jwt.secret);
  if (config.jwt.jwksUrl !== undefined) checkUrl('jwks-url', config.jwt.jwksUrl);
  checkJwtClaimsHaveKey(config.jwt);
  return config;
}

/**
 * Refuses a JWT issuer or audience without a key to check tokens with: the operator meant tokens
 * to be required, but with neither a secret nor a JWKS URL none is, and every route stays open.
 * (A deploy template's `HERALD_JWT_SECRET=${SECRET}` with SECRET unset gives exactly this.)
 */
function checkJwtClaimsHaveKey(jwt: JwtConfig): JwtConfig {
  const hasKey = jwt.secret !== undefined || jwt.jwksUrl !== undefined;
  const claimOption = jwt.issuer !== undefined ? 'jwt-issuer' : jwt.audience !== undefined ? 'jwt-audience' : undefined;
  if (!hasKey && claimOption !== undefined) {
    configError(
      claimOption,
      `needs ${envName('jwt-secret')} or ${envName('jwks-url')}: without a key no token is checked, and every route would stay open`,
    );
  }
  return jwt;
}

/** A partial configuration: any field may be left out and takes its default. */
export type HeraldConfigInput = Partial<Omit<HeraldConfig, 'limits' | 'retention' | 'jwt'>> & {
  limits?: Partial<LimitsConfig>;
  retention?: Partial<RetentionConfig>;
  jwt?: JwtConfig;
};
