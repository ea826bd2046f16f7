import WebSocket from 'ws';

/**
 * Node option that opens each soak node's inspector on a free loopback port, so the monitor can
 * collect its garbage before sampling RSS (see `collectGarbage`).
 */
export const INSPECTOR_NODE_OPTIONS = '--inspect=127.0.0.1:0';

const INSPECTOR_LINE = /Debugger listening on (ws:\/\/\S+)/g;

/** The inspector URL of the newest process whose output is `output` (a restarted node prints a new one). */
export function inspectorUrlOf(output: string): string | undefined {
  return [...output.matchAll(INSPECTOR_LINE)].at(-1)?.[1];
}

/**
 * Runs a full garbage collection in the process behind `inspectorUrl` (Chrome DevTools Protocol
 * `HeapProfiler.collectGarbage`) and resolves once it is done; `false` when the process could not
 * be reached (killed, restarting) within `timeoutMs`.
 *
 * Why: V8 runs its full collections when its own heuristics say so, not on a schedule. Between two
 * of them the old generation fills with garbage and V8 grows the heap for it, so the RSS of a node
 * that retains nothing new can climb for a minute or more and then fall by a third at the next
 * full collection (seen in the cluster soak: 148 → 107 MiB). A sample taken after a collection
 * measures what the process retains, which is what a leak makes grow.
 */
export function collectGarbage(inspectorUrl: string, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(inspectorUrl);
    const finish = (collected: boolean) => {
      clearTimeout(timer);
      socket.terminate();
      resolve(collected);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; error?: unknown };
      if (reply.id === 1) finish(reply.error === undefined);
    });
  });
}
