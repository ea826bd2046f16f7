import type { FanoutResult } from '../scenarios/fanout.js';
import { medianP99 } from './latency-rounds.js';
import { judgePerPublish } from './per-publish-verdicts.js';
import { type BenchResults, measured } from './results.js';

/** One target of the issue, checked against this run. */
export interface Verdict {
  goal: string;
  /** What was measured, formatted; `not measured` when the run lacks it. */
  measured: string;
  isMet: boolean | undefined;
}

const MAX_RATIO_TO_CORKED_WS = 1.3;
const MIN_ADVANTAGE_OVER_SOCKETIO = 5;
const MAX_RATIO_TO_HTTP_SSE = 1.3;
const MAX_P99_MS = 40;
const MAX_IDLE_KIB = { 'herald-ws': 10, 'herald-sse': 12, 'herald-longpoll': 10 } as const;
const MIN_INGEST_EVENTS_PER_SEC = { sqlite: 50_000, postgres: 20_000 } as const;
const MAX_CATCH_UP_MS = 100;
const MIN_304_PER_SEC = 20_000;
const RATIO_SUBSCRIBERS = [1000, 5000];

/** Server CPU µs per delivery of `target` at `subscribers`, when measured complete. */
export function cpuPerDelivery(
  fanout: readonly FanoutResult[],
  target: string,
  subscribers: number,
): number | undefined {
  const run = fanout.find((r) => r.target === target && r.subscribers === subscribers && r.isComplete);
  return run?.cpuUsPerDelivery;
}

/**
 * Whether a one-per-publish run counts for the verdicts: Herald's memory-store runs are shown
 * beside its durable ones (what the commit costs), never judged. The peers keep nothing whatever
 * their store option says.
 */
export function isDurableRun(run: FanoutResult): boolean {
  return run.store !== 'memory';
}

/** A verdict on `value` (`not measured` when undefined or NaN). */
export function check(
  goal: string,
  value: number | undefined,
  format: (v: number) => string,
  isMet: (v: number) => boolean,
) {
  return value === undefined || Number.isNaN(value)
    ? { goal, measured: 'not measured', isMet: undefined }
    : { goal, measured: format(value), isMet: isMet(value) };
}

/** `a ÷ b`, undefined when either is missing. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

/** Checks every target of the issue against the results. */
export function judge(results: BenchResults): Verdict[] {
  const fanout = measured(results.fanout);
  const verdicts: Verdict[] = judgePerPublish(results);
  for (const subscribers of RATIO_SUBSCRIBERS) {
    const heraldWs = cpuPerDelivery(fanout, 'herald-ws', subscribers);
    verdicts.push(
      check(
        `WS CPU/delivery ≤ ${MAX_RATIO_TO_CORKED_WS}× ws-corked @ ${subscribers} subs`,
        ratio(heraldWs, cpuPerDelivery(fanout, 'ws-corked', subscribers)),
        (v) => `${v.toFixed(2)}×`,
        (v) => v <= MAX_RATIO_TO_CORKED_WS,
      ),
      check(
        `WS CPU/delivery ≥ ${MIN_ADVANTAGE_OVER_SOCKETIO}× better than socketio @ ${subscribers} subs`,
        ratio(cpuPerDelivery(fanout, 'socketio', subscribers), heraldWs),
        (v) => `${v.toFixed(2)}× better`,
        (v) => v >= MIN_ADVANTAGE_OVER_SOCKETIO,
      ),
      check(
        `SSE CPU/delivery ≤ ${MAX_RATIO_TO_HTTP_SSE}× http-sse @ ${subscribers} subs`,
        ratio(cpuPerDelivery(fanout, 'herald-sse', subscribers), cpuPerDelivery(fanout, 'http-sse', subscribers)),
        (v) => `${v.toFixed(2)}×`,
        (v) => v <= MAX_RATIO_TO_HTTP_SSE,
      ),
    );
  }
  verdicts.push(
    check(
      `WS p99 ≤ ${MAX_P99_MS} ms @ 1000 subs × 200 msg/s (SQLite, median of the rounds)`,
      medianP99(measured(results.latency), 'herald-ws', 200),
      (v) => `${v.toFixed(1)} ms`,
      (v) => v <= MAX_P99_MS,
    ),
  );
  const memory = measured(results.memory);
  for (const [target, maxKib] of Object.entries(MAX_IDLE_KIB)) {
    verdicts.push(
      check(
        `idle ${target} ≤ ${maxKib} KiB/connection`,
        memory.find((r) => r.target === target)?.rssKibPerConnection,
        (v) => `${v.toFixed(1)} KiB`,
        (v) => v <= maxKib,
      ),
    );
  }
  const ingest = measured(results.ingest);
  for (const [store, minPerSec] of Object.entries(MIN_INGEST_EVENTS_PER_SEC)) {
    const batched = ingest.find((r) => r.store === store && r.batchEvents > 1 && r.failures === 0);
    verdicts.push(
      check(
        `ingest ${store} batched ≥ ${minPerSec.toLocaleString('en')} events/s`,
        batched?.eventsPerSec,
        (v) => `${Math.round(v).toLocaleString('en')}/s`,
        (v) => v >= minPerSec,
      ),
    );
  }
  const catchUp = measured(results.catchUp).find((r) => r.target === 'herald-ws' && r.isComplete);
  verdicts.push(
    check(
      `WS catch-up of 10,000 events < ${MAX_CATCH_UP_MS} ms`,
      catchUp?.medianMs,
      (v) => `${v.toFixed(0)} ms`,
      (v) => v < MAX_CATCH_UP_MS,
    ),
  );
  // The target is the small state's; the large one shows that a 304 does not read the state.
  const poll = measured(results.poll304)
    .filter((r) => r.failures === 0)
    .sort((a, b) => a.stateBytes - b.stateBytes)[0];
  verdicts.push(
    check(
      `304 polling ≥ ${MIN_304_PER_SEC.toLocaleString('en')} req/s (state of ${poll?.stateBytes ?? '–'} bytes)`,
      poll?.requestsPerSec,
      (v) => `${Math.round(v).toLocaleString('en')}/s`,
      (v) => v >= MIN_304_PER_SEC,
    ),
  );
  return verdicts;
}
