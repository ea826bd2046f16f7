import { parseArgs } from 'node:util';

/** Where the soak runs: one SQLite node, or three PostgreSQL + Redis nodes behind nginx. */
export type Topology = 'single' | 'cluster';

/** Every knob of one soak run; `resolveSoakOptions` fills them from the command line. */
export interface SoakOptions {
  topology: Topology;
  mode: 'quick' | 'full';
  /** Seed of the fault schedule, printed so a failing run can be replayed. */
  seed: number;
  /** How long publishers publish, in ms (faults fire during this time). */
  loadDurationMs: number;
  /** A fault starts this often, in ms. */
  faultIntervalMs: number;
  /** Streams, each with one publisher. */
  streamCount: number;
  /** Events per second each publisher publishes. */
  publishesPerSecondPerStream: number;
  /** Clients per transport; each subscribes to `streamsPerClient` streams. */
  clientsPerTransport: number;
  streamsPerClient: number;
  /** The clients' `staleAfterMs`; blackouts last longer than this. */
  staleAfterMs: number;
  /** RSS samples before this much time into the load are warm-up, in ms. */
  warmUpMs: number;
  /** How long the subscribers get, after the last publish, to receive everything, in ms. */
  drainTimeoutMs: number;
  /** Where the RSS curve is written. */
  rssSvgPath: string;
  /**
   * Test hook, never set by the command line's defaults: the recorder discards this one delivery
   * as if it never arrived, so a test can show the soak names a lost seq.
   */
  dropDelivery?: { subscription: string; seq: number };
}

export const SOAK_USAGE = `usage: npm run soak -- [--quick | --full] [--topology single|cluster] [--seed N]
  --quick            150 s of load, every fault kind at least once (the default)
  --full             15 minutes of load, over 1,000,000 deliveries on the cluster
  --topology         single (SQLite, default) or cluster (3 nodes, PostgreSQL + Redis, nginx)
  --seed N           the fault schedule's seed (default: random, printed)
  --duration-s N     override the load duration
  --drop-delivery S@N  discard subscription S's delivery of seq N (shows what a loss looks like)`;

/**
 * Parses the soak's command line: the options of a run, or `undefined` when `--help` asks for the
 * usage text instead. Throws with the usage text on anything unknown or malformed.
 */
export function resolveSoakOptions(argv: string[]): SoakOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      topology: { type: 'string' },
      seed: { type: 'string' },
      'duration-s': { type: 'string' },
      'drop-delivery': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  // `npm run soak` already passes --quick, so an explicit --full wins over it.
  const mode = values.full ? 'full' : 'quick';
  const topology = values.topology ?? 'single';
  if (topology !== 'single' && topology !== 'cluster') throw new Error(`unknown --topology ${topology}\n${SOAK_USAGE}`);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer\n${SOAK_USAGE}`);
  const options = mode === 'full' ? fullOptions(topology, seed) : quickOptions(topology, seed);
  if (values['duration-s'] !== undefined) {
    const seconds = Number(values['duration-s']);
    if (!Number.isInteger(seconds) || seconds < 1)
      throw new Error(`--duration-s must be a whole number of seconds\n${SOAK_USAGE}`);
    options.loadDurationMs = seconds * 1000;
  }
  if (values['drop-delivery'] !== undefined) options.dropDelivery = parseDropDelivery(values['drop-delivery']);
  return options;
}

/** The quick set: every fault kind at least once in 150 s, about 48,000 deliveries. */
export function quickOptions(topology: Topology, seed: number): SoakOptions {
  return {
    topology,
    mode: 'quick',
    seed,
    loadDurationMs: 150_000,
    faultIntervalMs: 10_000,
    streamCount: 16,
    publishesPerSecondPerStream: 5,
    clientsPerTransport: 4,
    streamsPerClient: 4,
    staleAfterMs: 2000,
    // RSS is sampled right after a full garbage collection (resource-monitor.ts), which leaves
    // only the first seconds' one-off growth (compiled code, pools, caches) to wait out. Measured
    // without the collection, RSS climbed 10–15% over a node's first two minutes and fell by a
    // third at V8's next full collection, which failed CI (2026-12-06).
    warmUpMs: 20_000,
    drainTimeoutMs: 60_000,
    rssSvgPath: rssSvgPath(topology, 'quick'),
  };
}

/**
 * The full set: 15 minutes, 24 streams at 5 events/s, 16 subscriptions per stream: about 1,700,000
 * deliveries asked (the machine decides how many are achieved; publishers catch up after faults).
 */
export function fullOptions(topology: Topology, seed: number): SoakOptions {
  return {
    ...quickOptions(topology, seed),
    mode: 'full',
    loadDurationMs: 900_000,
    streamCount: 24,
    clientsPerTransport: 12,
    streamsPerClient: 8,
    warmUpMs: 60_000,
    rssSvgPath: rssSvgPath(topology, 'full'),
  };
}

function rssSvgPath(topology: Topology, mode: string): string {
  return new URL(`./rss-${topology}-${mode}.svg`, import.meta.url).pathname;
}

function parseDropDelivery(text: string): { subscription: string; seq: number } {
  const at = text.lastIndexOf('@');
  const seq = Number(text.slice(at + 1));
  if (at <= 0 || !Number.isInteger(seq)) throw new Error(`--drop-delivery wants SUBSCRIPTION@SEQ\n${SOAK_USAGE}`);
  return { subscription: text.slice(0, at), seq };
}
