import { HTTP_PUBLISH_FLOOR, MANY_STREAMS_PEER } from './per-publish-tables.js';
import { type BenchResults, measured } from './results.js';
import { check, cpuPerDelivery, ratio, type Verdict } from './verdicts.js';

// Issue 15's targets: what one durable event per publish may cost against the peers of the same run.
const MIN_SUSTAINED_RATIO = 0.5;
const MIN_HTTP_PUBLISH_RATIO = 0.6;
const MAX_SINGLE_CPU_RATIO = 1.3;
const MAX_SATURATED_P99_RATIO = 1.3;
const SINGLE_SUBSCRIBERS = [100, 1000, 5000];

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
  const singles = measured(results.fanoutSingle);
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
  // A p99 only counts from a run that delivered everything: a lossy run's tail is not comparable.
  const latency = measured(results.latency).filter((r) => r.isComplete);
  const corkedP99 = latency.find((r) => r.target === 'ws-corked')?.p99Ms;
  for (const target of ['herald-ws', 'herald-sse']) {
    verdicts.push(
      check(
        `${target} p99 @ 1000 subs × 200 msg/s ≤ ${MAX_SATURATED_P99_RATIO}× ws-corked (server not pinned)`,
        ratio(latency.find((r) => r.target === target)?.p99Ms, corkedP99),
        times,
        (v) => v <= MAX_SATURATED_P99_RATIO,
      ),
    );
  }
  return verdicts;
}
