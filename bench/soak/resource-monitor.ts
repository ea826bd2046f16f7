import type { HeraldProcess } from '../../packages/server/test/support/herald-process.js';
import { collectGarbage, inspectorUrlOf } from './garbage-collector.js';
import { type ProcessResources, readProcessResources } from './process-resources.js';

/** Sampling period of server RSS and descriptors (issue 18: every 5 s). */
export const SAMPLE_INTERVAL_MS = 5000;

/** One sample of one node. */
export interface ResourceSample extends ProcessResources {
  /** Ms since the load started. */
  atMs: number;
  node: number;
  pid: number;
  /** Ms since this node's process started (the load's start for the first process). */
  ageMs: number;
  /** Whether a full garbage collection ran just before the reading (only these are judged). */
  afterGc: boolean;
}

/**
 * Samples every node's RSS and descriptors every 5 s, following restarts by pid. Each reading
 * follows a full garbage collection in the node (its inspector must be open: the deployment starts
 * nodes with `INSPECTOR_NODE_OPTIONS`), so it shows retained memory, not garbage awaiting V8.
 */
export class ResourceMonitor {
  readonly samples: ResourceSample[] = [];
  /** When each node last (re)started, in ms since the load started; absent: before the load. */
  readonly #startedAtMs = new Map<number, number>();
  readonly #nodes: readonly HeraldProcess[];
  readonly #loadStartedAt: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(nodes: readonly HeraldProcess[], loadStartedAt: number) {
    this.#nodes = nodes;
    this.#loadStartedAt = loadStartedAt;
  }

  start(): void {
    void this.sample();
    this.#timer = setInterval(() => void this.sample(), SAMPLE_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Notes that node `index` was started again (its RSS warms up anew). */
  noteRestart(index: number): void {
    this.#startedAtMs.set(index, Date.now() - this.#loadStartedAt);
  }

  async sample(): Promise<void> {
    const atMs = Date.now() - this.#loadStartedAt;
    await Promise.all(
      this.#nodes.map(async (node, index) => {
        const pid = node.pid;
        const inspectorUrl = inspectorUrlOf(node.output());
        const afterGc = inspectorUrl !== undefined && (await collectGarbage(inspectorUrl));
        const resources = await readProcessResources(pid);
        if (!resources) return;
        const ageMs = atMs - (this.#startedAtMs.get(index) ?? 0);
        this.samples.push({ ...resources, atMs, node: index, pid, ageMs, afterGc });
      }),
    );
  }
}
