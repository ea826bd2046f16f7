import { startHeraldCluster } from '../../packages/server/test/scale-out/support/herald-cluster.js';
import { type HeraldProcess, startHeraldProcess } from '../../packages/server/test/support/herald-process.js';
import type { RedisServerProcess } from '../../packages/server/test/support/redis-server-process.js';
import { INSPECTOR_NODE_OPTIONS } from './garbage-collector.js';
import type { Topology } from './soak-options.js';

/** The Herald deployment a soak drives; everything it starts, it stops in `close`. */
export interface SoakDeployment {
  /** Where publishers and the fault proxy connect: the node, or nginx in front of the nodes. */
  readonly url: string;
  /** The Herald nodes, whose pids change when one is restarted. */
  readonly nodes: readonly HeraldProcess[];
  /** `kill -9` of one node (nothing graceful runs). */
  killNode(index: number): Promise<void>;
  /** Starts a killed node again, on its port and with its data. */
  restartNode(index: number): Promise<void>;
  /** Kills the deployment's own Redis and starts it again; absent on a single node. */
  restartRedis?: () => Promise<void>;
  close(): Promise<void>;
}

// Every soak client comes from 127.0.0.1, so per-IP limits would throttle the soak rather than
// protect a server: publishes are unlimited, and connections bounded far above what a run opens.
const LOAD_ENV = {
  HERALD_PUBLISH_RATE_PER_SECOND: '0',
  HERALD_MAX_CONNECTIONS_PER_IP: '100000',
  // The resource monitor collects each node's garbage before it samples RSS.
  NODE_OPTIONS: INSPECTOR_NODE_OPTIONS,
};

/** Pause between a Redis kill and its restart, in ms: long enough for every node to notice. */
const REDIS_DOWN_MS = 2000;

/** Starts the deployment a topology names (issue 18): SQLite, or 3 nodes on PostgreSQL + Redis behind nginx. */
export async function startSoakDeployment(topology: Topology): Promise<SoakDeployment> {
  if (topology === 'single') {
    const node = await startHeraldProcess({ env: LOAD_ENV });
    const restarts = new RestartsInFlight();
    return {
      url: node.url,
      nodes: [node],
      killNode: () => node.kill(),
      restartNode: () => restarts.track(node.restart()),
      close: () => restarts.settled().then(() => node.close()),
    };
  }
  const cluster = await startHeraldCluster(3, LOAD_ENV);
  const restarts = new RestartsInFlight();
  return {
    url: cluster.url,
    nodes: cluster.nodes,
    killNode: (index) => nodeAt(cluster.nodes, index).kill(),
    restartNode: (index) => restarts.track(nodeAt(cluster.nodes, index).restart()),
    restartRedis: () => restarts.track(restartRedis(cluster.redis)),
    close: () => restarts.settled().then(() => cluster.close()),
  };
}

/**
 * Restarts under way. Closing waits for them, so a process being started when the run ends (or
 * is interrupted) is stopped too rather than left running.
 */
class RestartsInFlight {
  readonly #pending = new Set<Promise<void>>();

  track(restart: Promise<void>): Promise<void> {
    this.#pending.add(restart);
    return restart.finally(() => this.#pending.delete(restart));
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

async function restartRedis(redis: RedisServerProcess): Promise<void> {
  await redis.kill();
  await new Promise((resolve) => setTimeout(resolve, REDIS_DOWN_MS));
  await redis.restart();
}

function nodeAt(nodes: readonly HeraldProcess[], index: number): HeraldProcess {
  const node = nodes[index];
  if (!node) throw new Error(`no node ${index}`);
  return node;
}
