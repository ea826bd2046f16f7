import { describePinning } from '../cpu-pinning.js';
import { medianP99Ratio } from './latency-rounds.js';
import { HTTP_PUBLISH_FLOOR, MANY_STREAMS_PEER } from './per-publish-tables.js';
import { type BenchResults, measured } from './results.js';
import { check, cpuPerDelivery, isDurableRun, ratio, type Verdict } from './verdicts.js';

// Issue 15's targets: what one durable event per publish may cost against the peers of the same run.
const MIN_SUSTAINED_RATIO = 0.5;
const MIN_HTTP_PUBLISH_RATIO = 0.6;
const MAX_SINGLE_CPU_RATIO = 1.3;
const MAX_SATURATED_P99_RATIO = 1.3;
const SINGLE_SUBSCRIBERS = [100, 1000, 5000];
const SATURATION_PER_SECOND = 200;
// Below saturation the tail must be at or below every peer's measured at the same rate.
const BELOW_SATURATION_PER_SECOND = 100;
const MAX_BELOW_SATURATION_P99_RATIO = 1;
// The peers: corked `ws`, and `node:http` SSE (SSE's like for like); Socket.IO when measured.
const LATENCY_PEERS = ['ws-corked', 'http-sse', 'socketio'];

const times = (v: number) => `${v.toFixed(2)}×`;

/** Checks issue 15's per-publish targets against the results. */
export function judgePerPublish(results: BenchResults): Verdict[] {
  const verdicts: Verdict[] = [];
  const many = measured(results.manyStreams);
  const peerRate = many.find((r) => r.target === MANY_STREAMS_PEER)?.sustainedPerSec;
  for (const target of ['herald-ws', 'herald-sse']) {
    const run = many.find((r) => r.target === target);
    verdicts.push(
      check(
        `many streams: ${target} sustained rate ≥ ${MIN_SUSTAINED_RATIO}× ${MANY_STREAMS_PEER}`,
        peerRate ? ratio(run?.sustainedPerSec, peerRate) : undefined,
        times,
        (v) => v >= MIN_SUSTAINED_RATIO,
      ),
    );
  }
  const publish = measured(results.httpPublish).filter((r) => r.failures === 0);
  for (const streams of new Set(publish.map((r) => r.streams))) {
    const rate = (target: string) => publish.find((r) => r.target === target && r.streams === streams)?.requestsPerSec;
    verdicts.push(
      check(
        `HTTP single-event publish ≥ ${MIN_HTTP_PUBLISH_RATIO}× ${HTTP_PUBLISH_FLOOR}, ${streams} stream(s)`,
        ratio(rate('herald'), rate(HTTP_PUBLISH_FLOOR)),
        times,
        (v) => v >= MIN_HTTP_PUBLISH_RATIO,
      ),
    );
  }
  const singles = measured(results.fanoutSingle).filter(isDurableRun);
  for (const subscribers of SINGLE_SUBSCRIBERS) {
    for (const target of ['herald-ws', 'herald-sse']) {
      verdicts.push(
        check(
          `one per publish: ${target} CPU/delivery ≤ ${MAX_SINGLE_CPU_RATIO}× ws-corked @ ${subscribers} subs`,
          ratio(cpuPerDelivery(singles, target, subscribers), cpuPerDelivery(singles, 'ws-corked', subscribers)),
          times,
          (v) => v <= MAX_SINGLE_CPU_RATIO,
        ),
      );
    }
  }
  verdicts.push(...judgeLatency(results));
  return verdicts;
}

/**
 * The tail at saturation (≤ 1.3× ws-corked's p99) and below it (≤ each peer's p99 measured at the
 * same rate), each as the median of the per-round ratios (latency-rounds.ts); the goal says where
 * the server ran, as the issue measures it pinned to one core.
 */
function judgeLatency(results: BenchResults): Verdict[] {
  const latency = measured(results.latency);
  const rounds = new Set(latency.map((run) => run.round)).size;
  const over = rounds > 1 ? `, median of ${rounds} rounds` : '';
  const verdicts: Verdict[] = [];
  for (const target of ['herald-ws', 'herald-sse']) {
    const pinning = latency.find((r) => r.target === target)?.pinning;
    const where = `server ${describePinning(pinning)}${over}`;
    verdicts.push(
      check(
        `${target} p99 @ 1000 subs × ${SATURATION_PER_SECOND} msg/s ≤ ${MAX_SATURATED_P99_RATIO}× ws-corked (${where})`,
        medianP99Ratio(latency, target, 'ws-corked', SATURATION_PER_SECOND),
        times,
        (v) => v <= MAX_SATURATED_P99_RATIO,
      ),
    );
    for (const peer of LATENCY_PEERS) {
      const isPeerMeasured = latency.some(
        (run) => run.target === peer && run.perSecond === BELOW_SATURATION_PER_SECOND,
      );
      if (!isPeerMeasured && peer !== 'ws-corked') continue;
      verdicts.push(
        check(
          `${target} p99 @ 1000 subs × ${BELOW_SATURATION_PER_SECOND} msg/s ≤ ${peer}'s (${where})`,
          medianP99Ratio(latency, target, peer, BELOW_SATURATION_PER_SECOND),
          times,
          (v) => v <= MAX_BELOW_SATURATION_P99_RATIO,
        ),
      );
    }
  }
  return verdicts;
}
