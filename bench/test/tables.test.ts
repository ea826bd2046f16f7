import { describe, expect, it } from 'vitest';
import type { LatencyRun } from '../src/report/latency-rounds.js';
import type { BenchResults } from '../src/report/results.js';
import { renderResults } from '../src/report/tables.js';
import type { HttpPublishResult } from '../src/scenarios/http-publish.js';
import type { ManyStreamsResult } from '../src/scenarios/many-streams.js';
import type { MemoryResult } from '../src/scenarios/memory.js';

function latencyRun(target: string, p99Ms: number, isComplete = true, perSecond = 200, round = 1): LatencyRun {
  return {
    target,
    round,
    subscribers: 1000,
    messages: 400,
    sizeBytes: 200,
    store: 'sqlite',
    perSecond,
    pinning: { isPinned: true, serverCpus: '0', clientCpus: '1' },
    publishedPerSec: perSecond,
    expectedDeliveries: 400_000,
    deliveries: isComplete ? 400_000 : 1,
    isComplete,
    orderErrors: 0,
    cpuUsPerDelivery: 5,
    deliveriesPerSec: 200_000,
    p50Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms * 2,
  };
}

function onePerPublishRun(target: string, store: 'sqlite' | 'memory', cpuUsPerDelivery: number): LatencyRun {
  const {
    round: _round,
    pinning: _pinning,
    perSecond: _perSecond,
    publishedPerSec: _rate,
    ...run
  } = latencyRun(target, 5);
  return { ...run, round: 1, subscribers: 100, store, isOnePerPublish: true, cpuUsPerDelivery };
}

function memoryRun(target: string, rssKibPerConnection: number): MemoryResult {
  return { target, connections: 1000, rssKibPerConnection, heapKibPerConnection: 1 };
}

function manyStreamsRun(target: string, sustainedPerSec: number, cpuUsPerPublish: number): ManyStreamsResult {
  const step = (perSecond: number) => ({
    perSecond,
    publishedPerSec: perSecond,
    events: perSecond,
    failures: 0,
    p50Ms: 5,
    p99Ms: perSecond > sustainedPerSec ? 80 : 20,
    // Fixed costs spread over more publishes as the rate rises.
    cpuUsPerPublish: (cpuUsPerPublish * sustainedPerSec) / perSecond,
    isComplete: true,
    isSustained: perSecond <= sustainedPerSec,
  });
  return {
    target,
    streams: 2000,
    subscribersPerStream: 2,
    rates: [500, 1000, 2000],
    stepSec: 4,
    sizeBytes: 200,
    maxP99Ms: 50,
    steps: [500, 1000, 2000].filter((rate) => rate <= sustainedPerSec * 2).map(step),
    sustainedPerSec,
    cpuUsPerPublish,
  };
}

function httpPublishRun(
  target: string,
  streams: number,
  requestsPerSec: number,
  cpuUsPerRequest = 100,
): HttpPublishResult {
  return { target, streams, requestsPerSec, p99Ms: 3, failures: 0, cpuUsPerRequest };
}

function results(latency: LatencyRun[], memory: MemoryResult[]): BenchResults {
  return {
    manyStreams: [],
    fanoutSingle: [],
    httpPublish: [],
    mode: 'quick',
    startedAt: '2026-01-01T00:00:00.000Z',
    command: 'tsx bench/src/run.ts --quick',
    machine: { nproc: 2, cpuModel: 'test', node: 'v20', loadAverage: 0 },
    fanout: [],
    latency: latency.map((result) => ({ label: `latency ${result.target}`, result })),
    memory: memory.map((result) => ({ label: `memory ${result.target}`, result })),
    ingest: [],
    catchUp: [],
    poll304: [],
  };
}

/** The cells of the Markdown table row that starts with `target`, under the section `heading`. */
function row(markdown: string, heading: string, target: string): string[] {
  const section = markdown.split('### ').find((part) => part.startsWith(heading)) ?? '';
  const line = section.split('\n').find((l) => l.startsWith(`| ${target} |`));
  return (
    line
      ?.split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()) ?? []
  );
}

describe('renderResults', () => {
  it('gives each latency row its p99 as a ratio of the peers measured in the same run', () => {
    const markdown = renderResults(results([latencyRun('herald-ws', 30), latencyRun('ws-corked', 40)], []));

    expect(row(markdown, 'Latency', 'target').slice(-4)).toEqual([
      'p99 ÷ ws-corked (same round)',
      'p99 ÷ http-sse (same round)',
      'p99 ÷ socketio (same round)',
      'in order',
    ]);
    expect(row(markdown, 'Latency', 'herald-ws').slice(-4)).toEqual(['0.75×', '–', '–', 'yes']);
    expect(row(markdown, 'Latency', 'ws-corked').slice(-4)).toEqual(['–', '–', '–', 'yes']);
  });

  it('compares each latency row with the peers at the same rate, and says where the server ran', () => {
    const markdown = renderResults(
      results(
        [
          latencyRun('herald-ws', 30),
          latencyRun('ws-corked', 40),
          latencyRun('herald-ws', 12, true, 100),
          latencyRun('ws-corked', 10, true, 100),
        ],
        [],
      ),
    );

    const rows = markdown.split('\n').filter((line) => line.startsWith('| herald-ws | 1 | 1,000 |'));
    expect(rows.map((line) => line.split(' | ').slice(3, 5))).toEqual([
      ['200', 'CPU 0'],
      ['100', 'CPU 0'],
    ]);
    expect(rows.map((line) => line.split(' | ').at(-4))).toEqual(['0.75×', '1.20×']);
    expect(row(markdown, 'Targets', 'herald-ws p99 @ 1000 subs × 200 msg/s ≤ 1.3× ws-corked (server CPU 0)')).toEqual([
      'herald-ws p99 @ 1000 subs × 200 msg/s ≤ 1.3× ws-corked (server CPU 0)',
      '0.75×',
      'met',
    ]);
    expect(row(markdown, 'Targets', "herald-ws p99 @ 1000 subs × 100 msg/s ≤ ws-corked's (server CPU 0)")).toEqual([
      "herald-ws p99 @ 1000 subs × 100 msg/s ≤ ws-corked's (server CPU 0)",
      '1.20×',
      'MISSED',
    ]);
  });

  it('leaves out a latency peer that lost messages', () => {
    const markdown = renderResults(results([latencyRun('herald-ws', 30), latencyRun('ws-corked', 40, false)], []));

    expect(row(markdown, 'Latency', 'herald-ws').at(-4)).toBe('–');
  });

  it('judges the tail on the median of the per-round ratios, so one unlucky run does not decide', () => {
    // Round 2's Herald run hit a stall (90 ms); its peer's round 3 did (80 ms).
    const rounds = [
      [30, 40],
      [90, 42],
      [33, 80],
    ].flatMap(([herald, peer], i) => [
      latencyRun('herald-ws', herald!, true, 200, i + 1),
      latencyRun('ws-corked', peer!, true, 200, i + 1),
    ]);
    const markdown = renderResults(results(rounds, []));

    // Paired ratios 0.75, 2.14 and 0.41: the median is round 1's.
    const goal = 'herald-ws p99 @ 1000 subs × 200 msg/s ≤ 1.3× ws-corked (server CPU 0, median of 3 rounds)';
    expect(row(markdown, 'Targets', goal)).toEqual([goal, '0.75×', 'met']);
    expect(row(markdown, 'Latency over the rounds', 'herald-ws')).toEqual([
      'herald-ws',
      '200',
      '3',
      '33.0',
      '30.0–90.0',
      '0.75×',
      '–',
      '–',
    ]);
    expect(
      row(markdown, 'Targets', 'WS p99 ≤ 40 ms @ 1000 subs × 200 msg/s (SQLite, median of the rounds)').at(1),
    ).toBe('33.0 ms');
  });

  it('pairs a run only with its peer of the same round, leaving out rounds where either lost messages', () => {
    const markdown = renderResults(
      results(
        [
          latencyRun('herald-sse', 50, true, 100, 1),
          latencyRun('http-sse', 40, true, 100, 1),
          latencyRun('herald-sse', 45, true, 100, 2),
          latencyRun('http-sse', 60, false, 100, 2),
          latencyRun('ws-corked', 90, true, 100, 1),
        ],
        [],
      ),
    );

    // Round 2's peer lost messages: only round 1's 50 ÷ 40 counts.
    const goal = "herald-sse p99 @ 1000 subs × 100 msg/s ≤ http-sse's (server CPU 0, median of 2 rounds)";
    expect(row(markdown, 'Targets', goal)).toEqual([goal, '1.25×', 'MISSED']);
    const herald = markdown.split('\n').filter((line) => line.startsWith('| herald-sse | 2 |'));
    expect(herald[0]?.split(' | ').slice(-4, -1)).toEqual(['–', '–', '–']);
  });

  it('gives each idle-memory row its RSS per connection as a ratio of ws and http-sse', () => {
    const markdown = renderResults(
      results(
        [],
        [memoryRun('herald-ws', 9), memoryRun('ws', 8), memoryRun('http-sse', 12), memoryRun('herald-sse', 15)],
      ),
    );

    expect(row(markdown, 'Idle memory', 'target').slice(-2)).toEqual(['RSS ÷ ws', 'RSS ÷ http-sse']);
    expect(row(markdown, 'Idle memory', 'herald-ws').slice(-2)).toEqual(['1.13×', '0.75×']);
    expect(row(markdown, 'Idle memory', 'herald-sse').slice(-2)).toEqual(['1.88×', '1.25×']);
    expect(row(markdown, 'Idle memory', 'ws').slice(-2)).toEqual(['–', '0.67×']);
  });

  it('gives each many-streams target its sustained rate and CPU per publish as ratios of ws-corked-http', () => {
    const markdown = renderResults({
      ...results([], []),
      manyStreams: [
        { label: 'a', result: manyStreamsRun('herald-ws', 500, 60) },
        { label: 'b', result: manyStreamsRun('ws-corked-http', 2000, 20) },
      ],
    });

    // CPU is compared at the same rate (500/s), where the peer spends 80 µs per publish (20 at 2,000/s).
    expect(row(markdown, 'Many runs', 'herald-ws').slice(2)).toEqual(['500', '0.25×', '60.0', '0.75×']);
    // The peer sustained the top rate of the ramp: its ceiling lies above it.
    expect(row(markdown, 'Many runs', 'ws-corked-http').slice(2, 4)).toEqual(['≥ 2,000', '–']);
    expect(row(markdown, 'Targets', 'many streams: herald-ws sustained rate ≥ 0.5× ws-corked-http')).toEqual([
      'many streams: herald-ws sustained rate ≥ 0.5× ws-corked-http',
      '0.25×',
      'MISSED',
    ]);
  });

  it('gives Herald single-event publish as a ratio of the bare Fastify route and of its durable twin per stream count', () => {
    const markdown = renderResults({
      ...results([], []),
      httpPublish: [
        { label: 'a', result: httpPublishRun('herald', 1000, 7000, 150) },
        { label: 'b', result: httpPublishRun('fastify-bare', 1000, 10_000, 60) },
        { label: 'c', result: httpPublishRun('fastify-durable', 1000, 8750, 90) },
      ],
    });

    expect(row(markdown, 'HTTP single-event publish', 'herald (SQLite, 201 after commit)').slice(4, 8)).toEqual([
      '0.70×',
      '0.80×',
      '150.0',
      '2.50×',
    ]);
    expect(
      row(markdown, 'HTTP single-event publish', 'fastify-durable (SQLite, 201 after commit)').slice(4, 6),
    ).toEqual(['0.88×', '–']);
    expect(row(markdown, 'Targets', 'HTTP single-event publish ≥ 0.6× fastify-bare, 1000 stream(s)').at(2)).toBe('met');
  });

  it('shows Herald on the memory store beside the durable run, and judges only the durable one', () => {
    const markdown = renderResults({
      ...results([], []),
      httpPublish: [
        { label: 'a', result: httpPublishRun('herald', 1, 3000, 150) },
        { label: 'b', result: httpPublishRun('herald-memory', 1, 9000, 120) },
        { label: 'c', result: httpPublishRun('fastify-bare', 1, 10_000, 30) },
      ],
    });

    // No durable peer in this run: its ratio is not measured.
    expect(row(markdown, 'HTTP single-event publish', 'herald (memory store, not durable)').slice(4, 8)).toEqual([
      '0.90×',
      '–',
      '120.0',
      '4.00×',
    ]);
    expect(row(markdown, 'Targets', 'HTTP single-event publish ≥ 0.6× fastify-bare, 1 stream(s)').slice(1)).toEqual([
      '0.30×',
      'MISSED',
    ]);
  });

  it('shows Herald on the memory store beside its durable one-per-publish run, and judges only the durable one', () => {
    const markdown = renderResults({
      ...results([], []),
      fanoutSingle: [
        // The memory-store run first: the verdict must still take the durable one.
        { label: 'a', result: onePerPublishRun('herald-ws', 'memory', 11) },
        { label: 'b', result: onePerPublishRun('herald-ws', 'sqlite', 15) },
        { label: 'c', result: onePerPublishRun('ws-corked', 'sqlite', 10) },
      ],
    });

    expect(row(markdown, 'Fan-out, one event per publish', 'herald-ws').slice(4, 6)).toEqual(['15.00', '1.50×']);
    expect(
      row(markdown, 'Fan-out, one event per publish', 'herald-ws (memory store, not durable)').slice(4, 6),
    ).toEqual(['11.00', '1.10×']);
    expect(
      row(markdown, 'Targets', 'one per publish: herald-ws CPU/delivery ≤ 1.3× ws-corked @ 100 subs').slice(1),
    ).toEqual(['1.50×', 'MISSED']);
  });
});
