import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { type BenchPlan, FULL_PLAN, QUICK_PLAN } from './bench-plan.js';
import { machinePinning } from './cpu-pinning.js';
import { serverNodeFlags } from './fleet.js';
import { attempt, type BenchResults } from './report/results.js';
import { renderResults } from './report/tables.js';
import { runCatchUp } from './scenarios/catch-up.js';
import { runFanout } from './scenarios/fanout.js';
import { runHttpPublish } from './scenarios/http-publish.js';
import { runIngest } from './scenarios/ingest.js';
import { runManyStreams } from './scenarios/many-streams.js';
import { runMemory } from './scenarios/memory.js';
import { runPoll304 } from './scenarios/poll304.js';

const SCENARIOS = [
  'manystreams',
  'fanout',
  'fanout1',
  'publish',
  'latency',
  'memory',
  'ingest',
  'catchup',
  'poll304',
] as const;
type Scenario = (typeof SCENARIOS)[number];

const USAGE = `usage: tsx bench/src/run.ts [--quick | --full] [--only ${SCENARIOS.join(',')}]
       [--targets herald-ws,ws-corked,…] [--cpu-prof DIR] [--json FILE] [--no-pin]
  --no-pin   run the latency scenario's server unpinned (by default it is pinned to CPU 0 with
             taskset, its clients to the other CPUs, when taskset and two CPUs are there)`;

const MESSAGE_SIZE_BYTES = 200;
// The bound for a rate to count as sustained in the many-streams scenario.
const MANY_STREAMS_MAX_P99_MS = 50;

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? 'unknown';
}

// Each subscriber holds a socket in the server and in a client process; say so before a run dies of EMFILE.
function warnAboutFileLimit(connections: number): void {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = Number(/Max open files\s+(\d+)/.exec(limits)?.[1]);
  if (soft < connections + 1024) {
    process.stderr.write(`bench: warning: open-file limit ${soft} is below ${connections + 1024}; raise ulimit -n\n`);
  }
}

function withPinning(plan: BenchPlan, isServerPinned: boolean): BenchPlan {
  return { ...plan, latency: { ...plan.latency, isServerPinned: plan.latency.isServerPinned && isServerPinned } };
}

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      targets: { type: 'string' },
      'cpu-prof': { type: 'string' },
      json: { type: 'string' },
      'no-pin': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = values.only?.split(',') ?? [...SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
  return {
    plan: withPinning(values.full ? FULL_PLAN : QUICK_PLAN, !values['no-pin']),
    scenarios: new Set(only as Scenario[]),
    targets: values.targets?.split(','),
    cpuProfDir: values['cpu-prof'],
    jsonPath: values.json,
  };
}

async function runPlan(plan: BenchPlan, scenarios: Set<Scenario>, targets: string[] | undefined) {
  const selected = (names: string[]) => (targets ? names.filter((n) => targets.includes(n)) : names);
  const results: BenchResults = {
    mode: plan.mode,
    startedAt: new Date().toISOString(),
    command: `${process.argv0} ${process.argv.slice(1).join(' ')}`,
    machine: {
      nproc: availableParallelism(),
      cpuModel: cpuModel(),
      node: process.version,
      loadAverage: loadavg()[0] ?? 0,
    },
    manyStreams: [],
    fanout: [],
    fanoutSingle: [],
    httpPublish: [],
    latency: [],
    memory: [],
    ingest: [],
    catchUp: [],
    poll304: [],
  };
  if (scenarios.has('manystreams')) {
    const { targets: _targets, ...sizes } = plan.manyStreams;
    for (const target of selected(plan.manyStreams.targets)) {
      const params = { target, ...sizes, sizeBytes: MESSAGE_SIZE_BYTES, maxP99Ms: MANY_STREAMS_MAX_P99_MS };
      results.manyStreams.push(await attempt(`many streams ${target} ×${sizes.streams}`, () => runManyStreams(params)));
    }
  }
  if (scenarios.has('fanout')) {
    for (const { subscribers, messages } of plan.fanout.runs) {
      for (const target of selected(plan.fanout.targets)) {
        const params = { target, subscribers, messages, sizeBytes: plan.fanout.sizeBytes, store: 'memory' as const };
        results.fanout.push(await attempt(`fanout ${target} ×${subscribers}`, () => runFanout(params)));
      }
    }
  }
  if (scenarios.has('fanout1')) {
    for (const { subscribers, messages } of plan.fanoutSingle.runs) {
      for (const target of selected(plan.fanoutSingle.targets)) {
        // Herald durable (SQLite), as a backend's one-at-a-time publishes are, and again on the memory
        // store: the difference is what durability costs. The peers keep nothing either way.
        const stores = target.startsWith('herald') ? (['sqlite', 'memory'] as const) : (['sqlite'] as const);
        for (const store of stores) {
          const params = { target, subscribers, messages, sizeBytes: MESSAGE_SIZE_BYTES, store };
          const label = `fanout one per publish ${target}${store === 'memory' ? ' (memory store)' : ''} ×${subscribers}`;
          results.fanoutSingle.push(await attempt(label, () => runFanout({ ...params, isOnePerPublish: true })));
        }
      }
    }
  }
  if (scenarios.has('publish')) {
    for (const streams of plan.httpPublish.streams) {
      for (const target of ['herald', 'herald-memory', 'fastify-bare', 'fastify-durable'] as const) {
        results.httpPublish.push(
          await attempt(`http publish ${target} ×${streams} streams`, () =>
            runHttpPublish(target, streams, plan.httpPublish.durationSec),
          ),
        );
      }
    }
  }
  if (scenarios.has('latency')) {
    const { subscribers, rates, durationSec, rounds, isServerPinned } = plan.latency;
    const pinning = isServerPinned ? machinePinning() : { isPinned: false as const, reason: '--no-pin' };
    if (!pinning.isPinned) process.stderr.write(`bench: latency: server not pinned (${pinning.reason})\n`);
    // Round by round, so that a target and its peers of one round run close together in time.
    for (let round = 1; round <= rounds; round++) {
      for (const perSecond of rates) {
        for (const target of selected(plan.latency.targets)) {
          const params = { target, subscribers, perSecond, messages: perSecond * durationSec, sizeBytes: 200, pinning };
          results.latency.push(
            await attempt(`latency ${target} ${perSecond}/s, round ${round}`, async () => ({
              ...(await runFanout({ ...params, store: 'sqlite' })),
              round,
            })),
          );
        }
      }
    }
  }
  if (scenarios.has('memory')) {
    for (const target of selected(plan.memory.targets)) {
      results.memory.push(await attempt(`memory ${target}`, () => runMemory(target, plan.memory.connections)));
    }
  }
  if (scenarios.has('ingest')) {
    for (const store of plan.ingest.stores) {
      for (const batchEvents of [plan.ingest.batchEvents, 1]) {
        results.ingest.push(
          await attempt(`ingest ${store} ×${batchEvents}`, () =>
            runIngest(store, batchEvents, plan.ingest.durationSec),
          ),
        );
      }
    }
  }
  if (scenarios.has('catchup')) {
    for (const target of selected(plan.catchUp.targets)) {
      results.catchUp.push(
        await attempt(`catch-up ${target}`, () => runCatchUp(target, plan.catchUp.events, plan.catchUp.runs)),
      );
    }
  }
  if (scenarios.has('poll304')) {
    for (const stateBytes of plan.poll304.stateBytes) {
      results.poll304.push(
        await attempt(`304 polling, state of ${stateBytes} bytes`, () =>
          runPoll304(plan.poll304.durationSec, stateBytes),
        ),
      );
    }
  }
  return results;
}

const options = parseCommandLine();
if (options.cpuProfDir) serverNodeFlags.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
warnAboutFileLimit(
  Math.max(
    ...options.plan.fanout.runs.map((r) => r.subscribers),
    options.plan.memory.connections,
    options.plan.manyStreams.streams * options.plan.manyStreams.subscribersPerStream,
  ),
);
const startedAtMs = Date.now();
const results = await runPlan(options.plan, options.scenarios, options.targets);
const { machine } = results;
process.stdout.write(
  `\n## Herald bench (${results.mode}), ${results.startedAt}\n\n` +
    `${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, load average ${machine.loadAverage.toFixed(2)} at start\n\n` +
    `\`${results.command}\`\n\n${renderResults(results)}\n\n` +
    `(${((Date.now() - startedAtMs) / 1000).toFixed(0)} s)\n`,
);
if (options.jsonPath) {
  writeFileSync(
    options.jsonPath,
    JSON.stringify(results, (_key, value) => (value instanceof Uint32Array ? undefined : value), 2),
  );
}
