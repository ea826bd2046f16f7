import type { FaultProxy } from '../../packages/client/test/support/fault-proxy.js';
import type { ScheduledFault } from './fault-schedule.js';
import type { ResourceMonitor } from './resource-monitor.js';
import type { SoakDeployment } from './soak-deployment.js';

/** What the injector acts on. */
export interface FaultTargets {
  deployment: SoakDeployment;
  /** The proxy every subscriber connects through. */
  proxy: FaultProxy;
  monitor: ResourceMonitor;
  staleAfterMs: number;
}

/** How long a killed node stays down before its restart, in ms. */
const NODE_DOWN_MS = 2000;
/** How long a slow-reader or WebSocket-refusing phase lasts, in ms. */
const PHASE_MS = 6000;
/** A slow reader's pace, per connection: a few events' worth per second, so the server's buffers fill. */
const SLOW_READ_BYTES_PER_SECOND = 1000;
/** A blackout outlasts the clients' staleAfterMs by this much, so their watchdogs fire. */
const BLACKOUT_MARGIN_MS = 3000;

/**
 * Injects one fault and resolves when the fault is over (a killed node restarted, a phase ended):
 * the moment from which the subscribers' recovery is timed.
 */
export async function injectFault(fault: ScheduledFault, targets: FaultTargets): Promise<void> {
  const { deployment, proxy } = targets;
  switch (fault.kind) {
    case 'cut':
      proxy.dropConnections();
      return;
    case 'blackout':
      proxy.stall({ includeHttp: true });
      await sleep(targets.staleAfterMs + BLACKOUT_MARGIN_MS);
      proxy.resume();
      return;
    case 'kill-node':
      await deployment.killNode(fault.node);
      await sleep(NODE_DOWN_MS);
      await deployment.restartNode(fault.node);
      targets.monitor.noteRestart(fault.node);
      return;
    case 'redis-restart':
      if (!deployment.restartRedis) throw new Error('this deployment has no Redis of its own');
      await deployment.restartRedis();
      return;
    case 'slow-reader':
      proxy.readBytesPerSecond = SLOW_READ_BYTES_PER_SECOND;
      await sleep(PHASE_MS);
      proxy.readBytesPerSecond = 0;
      return;
    case 'refuse-websocket':
      // Open WebSockets are cut too: a proxy that starts refusing upgrades also ends the ones it carried.
      proxy.refuseWebSocket = true;
      proxy.dropConnections();
      await sleep(PHASE_MS);
      proxy.refuseWebSocket = false;
      return;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
