/**
 * The SDK's cost of a long run (issue 13): one subscription receives 100,000 events over a
 * WebSocket (an in-process fake, so only the client is measured), and the time and the retained
 * heap are measured for `maxEvents` 1,000 (the default) and `Infinity`, with `snapshot()` read
 * after every event (a UI that renders each change: the worst case) and never.
 *
 * Run: `npx tsx --expose-gc bench/src/scenarios/client-subscription.ts [events]` after
 * `npm run build -w @herald/client`.
 */
import { performance } from 'node:perf_hooks';
import { createClient, type WebSocketLike } from '@herald/client';

const DEFAULT_EVENTS = 100_000;

/** What one run measured. */
export interface SubscriptionCostResult {
  maxEvents: number;
  readsSnapshotEachEvent: boolean;
  events: number;
  elapsedMs: number;
  /** Heap retained after the run (after a full GC), minus the heap before it, in MiB. */
  retainedHeapMib: number;
  snapshotEvents: number;
}

/** A WebSocket whose server side is this process: it answers `sub` with `subscribed` and `events`. */
function fakeWebSocket(events: number) {
  return class implements WebSocketLike {
    readyState = 0;
    readonly #listeners = new Map<string, ((event: object) => void)[]>();

    constructor() {
      queueMicrotask(() => {
        this.readyState = 1;
        this.#emit('open', {});
      });
    }

    addEventListener(type: string, listener: (event: object) => void): void {
      this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
    }

    send(data: string): void {
      const frame = JSON.parse(data) as { op: string; stream: string };
      if (frame.op !== 'sub') return;
      const message = (value: object) => this.#emit('message', { data: JSON.stringify(value) });
      message({ op: 'subscribed', stream: frame.stream, epoch: 'e', seq: events, firstSeq: 1, final: false });
      const time = new Date(0).toISOString();
      for (let seq = 1; seq <= events; seq += 1) {
        message({ op: 'event', stream: frame.stream, seq, id: `id-${seq}`, type: 'job_progress', time, data: { seq } });
      }
      message({ op: 'live', stream: frame.stream, seq: events });
    }

    close(): void {
      this.readyState = 3;
    }

    #emit(type: string, event: object): void {
      for (const listener of this.#listeners.get(type) ?? []) listener(event);
    }
  };
}

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

/** Subscribes, takes `events` events, and measures time and retained heap. */
export async function runSubscriptionCost(
  maxEvents: number,
  readsSnapshotEachEvent: boolean,
  events = DEFAULT_EVENTS,
): Promise<SubscriptionCostResult> {
  // The previous run's client lets go of its objects once its last timers (coalescer, watchdog) have run.
  await new Promise((resolve) => setTimeout(resolve, 500));
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const client = createClient({ url: 'http://bench.invalid', WebSocket: fakeWebSocket(events) });
  let delivered = 0;
  const startedAt = performance.now();
  let finishedAt = startedAt;
  const subscription = client.subscribe('run:bench', {
    maxEvents,
    onEvent: () => {
      delivered += 1;
      if (readsSnapshotEachEvent) subscription.snapshot();
      if (delivered === events) finishedAt = performance.now();
    },
  });
  while (delivered < events) await new Promise((resolve) => setTimeout(resolve, 10));
  const snapshotEvents = subscription.snapshot().events.length;
  collectGarbage();
  const retainedHeapMib = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  client.close();
  return {
    maxEvents,
    readsSnapshotEachEvent,
    events,
    elapsedMs: finishedAt - startedAt,
    retainedHeapMib,
    snapshotEvents,
  };
}

const isMain = process.argv[1]?.endsWith('client-subscription.ts');
if (isMain) {
  const events = Number(process.argv[2] ?? DEFAULT_EVENTS);
  console.log('| maxEvents | snapshot() after each event | events | time | retained heap | snapshot().events |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const maxEvents of [1000, Number.POSITIVE_INFINITY]) {
    for (const readsSnapshotEachEvent of [false, true]) {
      const result = await runSubscriptionCost(maxEvents, readsSnapshotEachEvent, events);
      console.log(
        `| ${maxEvents === 1000 ? '1,000 (default)' : 'Infinity'} | ${readsSnapshotEachEvent ? 'yes' : 'no'} | ${result.events.toLocaleString('en')} | ${(result.elapsedMs / 1000).toFixed(2)} s | ${result.retainedHeapMib.toFixed(1)} MiB | ${result.snapshotEvents.toLocaleString('en')} |`,
      );
    }
  }
}
