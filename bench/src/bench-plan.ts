/** The sizes of every scenario, for one mode (`--quick` or `--full`). */
export interface BenchPlan {
  mode: 'quick' | 'full';
  /** "Many runs, few watchers": streams × subscribers each, single-event POSTs at rising total rates. */
  manyStreams: { targets: string[]; streams: number; subscribersPerStream: number; rates: number[]; stepSec: number };
  /** One event per publish call: subscriber counts, each with the number of events. */
  fanoutSingle: { targets: string[]; runs: { subscribers: number; messages: number }[] };
  /** Single-event POSTs/s, Herald vs a bare Fastify route, for each stream count. */
  httpPublish: { streams: number[]; durationSec: number };
  fanout: {
    targets: string[];
    /** Subscriber counts, each with the burst size sent to them. */
    runs: { subscribers: number; messages: number }[];
    sizeBytes: number;
  };
  /**
   * Paced publish → receive at each rate (the first is the saturation rate), with the server pinned
   * to one core and its clients on the others when `taskset` is there (see cpu-pinning.ts). Each
   * of the `rounds` runs every target at every rate once; verdicts take the median over rounds.
   */
  latency: {
    targets: string[];
    subscribers: number;
    rates: number[];
    durationSec: number;
    rounds: number;
    isServerPinned: boolean;
  };
  memory: { targets: string[]; connections: number };
  ingest: { durationSec: number; batchEvents: number; stores: ('sqlite' | 'postgres')[] };
  catchUp: { targets: string[]; events: number; runs: number };
  /** ETag polling of one stream's snapshot, for each size of its state (bytes). */
  poll304: { durationSec: number; stateBytes: number[] };
}

const WS_TARGETS = ['herald-ws', 'ws-corked', 'ws', 'socketio'];
const SSE_TARGETS = ['herald-sse', 'http-sse'];
const HERALD_TRANSPORTS = ['herald-ws', 'herald-sse', 'herald-longpoll'];
const MESSAGE_SIZE_BYTES = 200;
const MANY_STREAMS_TARGETS = ['herald-ws', 'herald-sse', 'ws-corked-http', 'socketio-http'];

/**
 * About five minutes on a 2-core machine: every scenario at reduced counts and durations. The
 * 5,000-subscriber fan-out is left to `--full`: opening and closing 5,000 sockets per target costs
 * more wall-clock than the measurement itself. Latency and memory each keep their cheapest peers
 * (ws-corked; ws and http-sse), so every table has a ratio measured in the same run; Socket.IO,
 * the slowest to open and to drain, is left to `--full` there.
 */
export const QUICK_PLAN: BenchPlan = {
  mode: 'quick',
  manyStreams: {
    targets: MANY_STREAMS_TARGETS,
    streams: 50,
    subscribersPerStream: 2,
    rates: [200, 400, 800, 1600, 3200],
    stepSec: 1.5,
  },
  fanoutSingle: {
    targets: [...WS_TARGETS, ...SSE_TARGETS],
    runs: [
      { subscribers: 100, messages: 100 },
      { subscribers: 1000, messages: 50 },
    ],
  },
  httpPublish: { streams: [1, 1000], durationSec: 3 },
  fanout: {
    targets: [...WS_TARGETS, ...SSE_TARGETS],
    runs: [
      { subscribers: 100, messages: 200 },
      { subscribers: 1000, messages: 100 },
    ],
    sizeBytes: MESSAGE_SIZE_BYTES,
  },
  latency: {
    targets: ['herald-ws', 'ws-corked'],
    subscribers: 1000,
    rates: [200, 100],
    durationSec: 2,
    rounds: 1,
    isServerPinned: true,
  },
  memory: { targets: [...HERALD_TRANSPORTS, 'ws', 'http-sse'], connections: 1000 },
  ingest: { durationSec: 3, batchEvents: 100, stores: ['sqlite'] },
  catchUp: { targets: HERALD_TRANSPORTS, events: 10_000, runs: 1 },
  poll304: { durationSec: 3, stateBytes: [100, 20_000] },
};

/** The whole set at the sizes of the issue. */
export const FULL_PLAN: BenchPlan = {
  mode: 'full',
  manyStreams: {
    targets: MANY_STREAMS_TARGETS,
    streams: 2000,
    subscribersPerStream: 2,
    rates: [250, 500, 1000, 2000, 4000, 8000],
    stepSec: 4,
  },
  fanoutSingle: {
    targets: [...WS_TARGETS, ...SSE_TARGETS],
    runs: [
      { subscribers: 100, messages: 500 },
      { subscribers: 1000, messages: 100 },
      { subscribers: 5000, messages: 50 },
    ],
  },
  httpPublish: { streams: [1, 1000], durationSec: 10 },
  fanout: {
    targets: [...WS_TARGETS, ...SSE_TARGETS],
    runs: [
      { subscribers: 100, messages: 1000 },
      { subscribers: 1000, messages: 200 },
      { subscribers: 5000, messages: 100 },
    ],
    sizeBytes: MESSAGE_SIZE_BYTES,
  },
  latency: {
    targets: ['herald-ws', 'herald-sse', 'ws-corked', 'http-sse', 'socketio'],
    subscribers: 1000,
    rates: [200, 100],
    durationSec: 10,
    // One run's p99 moved by 2× between runs on a quiet machine: three rounds, and their median.
    rounds: 3,
    isServerPinned: true,
  },
  memory: { targets: [...HERALD_TRANSPORTS, 'ws', 'http-sse', 'socketio'], connections: 5000 },
  ingest: { durationSec: 10, batchEvents: 100, stores: ['sqlite', 'postgres'] },
  catchUp: { targets: HERALD_TRANSPORTS, events: 10_000, runs: 5 },
  poll304: { durationSec: 10, stateBytes: [100, 20_000] },
};
